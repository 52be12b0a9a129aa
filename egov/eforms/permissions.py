"""Who may design, publish and read electronic forms.

Form design belongs to whoever a security administrator gives a role holding
these permissions (for example a "流程与表单管理员" role); none of the 三员 roles
carries them, since those roles' permission sets are fixed.
"""

from egov.core.policy import Policy

VIEW_FORM = "eforms.view_formdefinition"
CHANGE_FORM = "eforms.change_formdefinition"
PUBLISH_FORM = "eforms.publish_formdefinition"

ACTIONS = {
    "view": (VIEW_FORM,),
    "save_draft": (VIEW_FORM, CHANGE_FORM),
    "publish": (VIEW_FORM, PUBLISH_FORM),
}


class FormPolicy(Policy):
    app = "eforms"

    def can(self, user, action: str, obj=None) -> bool:
        required = ACTIONS.get(action)
        if required is None or user is None:
            return False
        if not user.is_authenticated or not user.is_active:
            return False
        return all(user.has_perm(perm) for perm in required)


form_policy = FormPolicy()
