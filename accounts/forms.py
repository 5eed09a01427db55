"""Form parsing for the governance pages; domain rules stay in the services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone

from accounts.invites import MAX_DAYS, MAX_USES_LIMIT
from accounts.models import Role

LEVEL_CHOICES = [("view", "Read-only"), ("run", "Read and run")]


class AddMemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TeamRoleForm(forms.Form):
    team = forms.CharField(max_length=150, help_text="A new name creates the team.")
    role = forms.ChoiceField(choices=Role.choices)


class TeamMemberForm(forms.Form):
    username = forms.CharField(max_length=150)


class ShareForm(forms.Form):
    object = forms.CharField(max_length=200)
    holder_kind = forms.ChoiceField(choices=[("user", "Person"), ("team", "Team")])
    holder = forms.CharField(max_length=150)
    level = forms.ChoiceField(choices=LEVEL_CHOICES)


class UnshareForm(forms.Form):
    object = forms.CharField(max_length=200)
    holder = forms.CharField(max_length=200)


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    max_uses = forms.IntegerField(min_value=1, max_value=MAX_USES_LIMIT, initial=1)
    expires_in_days = forms.IntegerField(min_value=1, max_value=MAX_DAYS, initial=7)
    note = forms.CharField(max_length=200, required=False)


class InviteSignUpForm(UserCreationForm):
    """A new account for the person holding an invite: user name (free, case aside),
    e-mail, and a password that passes AUTH_PASSWORD_VALIDATORS, typed twice."""

    email = forms.EmailField(max_length=254, label="E-mail")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


def _default_due():
    return timezone.localdate() + timedelta(days=14)


class ReviewForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    due_on = forms.DateField(initial=_default_due, widget=forms.DateInput(attrs={"type": "date"}))


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{field.replace('_', ' ')}: "
        return f"{label}{errors[0]}"
    return "The form is not valid."
