from django.utils import translation

from organizations.enums import AreaType, LegalForm, OrganizationType
from organizations.models import Organization


def test_choice_labels_follow_the_active_language():
    organization = Organization(legal_form=LegalForm.NPO, area_type=AreaType.ELEMENTARY_SCHOOL)

    with translation.override("ja"):
        japanese = (organization.legal_form_label, organization.area_type_label)
    with translation.override("en"):
        english = (organization.legal_form_label, organization.area_type_label)

    assert japanese == ("NPO法人", "小学校区")
    assert english == ("NPO corporation", "Elementary school district")


def test_choice_labels_match_djangos_display_values():
    for legal_form in LegalForm.values:
        organization = Organization(legal_form=legal_form, organization_type=OrganizationType.values[0])

        assert organization.legal_form_label == organization.get_legal_form_display()
        assert organization.organization_type_label == organization.get_organization_type_display()


def test_choice_label_of_a_blank_or_unknown_value():
    assert Organization(area_type="").area_type_label == ""
    assert Organization(area_type="retired_value").area_type_label == "retired_value"
