"""A phone rating has who recorded it, the call time and the applicant's
consent; a rating given online or at a window has its rater."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_phone_rating_facts_and_walk_in_raters"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="servicerating",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("called_at__isnull", False),
                        ("channel", "phone"),
                        ("consented", True),
                        ("recorded_by__isnull", False),
                    ),
                    models.Q(
                        ("called_at__isnull", True),
                        ("channel__in", ["web", "window"]),
                        ("rater__isnull", False),
                        ("recorded_by__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="supervision_rating_phone_facts_or_rater",
            ),
        ),
    ]
