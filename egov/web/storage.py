"""Static files storage that remembers the URLs it has worked out.

Every page asks for the same few stylesheet and script URLs (eight in the
base layout alone), and working one out joins and quotes the path each time.
The answer for a name never changes while a process runs, so it is kept.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage


class RememberingStaticFilesStorage(StaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name):
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
