"""An invalid profile (an under-18 date of birth) comes back with the message at the field and
keeps everything else the participant typed."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_under_18_date_of_birth_is_refused_at_the_field_and_keeps_the_other_answers(
    participant_client,
):
    client = participant_client()
    response = client.post(
        reverse("participants:profile"),
        {
            "first_name": "Robin",
            "last_name": "Typed-Here",
            "preferred_name": "Rob",
            "phone": "801-555-0177",
            "date_of_birth": "2015-01-01",
            "emergency_contact_name": "Jamie Example",
            "emergency_contact_relationship": "Friend",
            "emergency_contact_phone": "801-555-0188",
        },
    )
    assert response.status_code == 200
    assert "adults 18" in " ".join(response.context["form"].errors["date_of_birth"])
    html = response.content.decode()
    for typed in ("Typed-Here", "Rob", "Jamie Example", "Friend", "2015-01-01"):
        assert f'value="{typed}"' in html, typed
