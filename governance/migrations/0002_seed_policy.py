"""Seed the policy with the template's and the security review's values."""

from django.db import migrations

BUMP_RULES = [
    ("patch", "check_release_notes", "tech_lead", "48h"),
    ("minor", "full_security_review", "security_team", "1 week"),
    ("major", "full_security_review + sandbox_trial", "security_team + engineering_director",
     "2 weeks"),
]
VALIDITY = [("LOW", 6), ("MEDIUM", 3), ("HIGH", 1)]
CLASSIFICATION = [
    ("PUBLIC", "ALLOWED", "Standard logging", "", ""),
    ("INTERNAL", "ALLOWED", "Enhanced logging, rate limiting", "", ""),
    ("CONFIDENTIAL", "RESTRICTED", "Approval required, full audit", "engineering_director", ""),
    ("RESTRICTED", "DENIED", "No MCP access", "",
     "RESTRICTED data may not be reached through MCP (security review, data classification: "
     "Restricted — DENIED, no MCP access)."),
]


def seed(apps, schema_editor):
    apps.get_model("governance", "Organisation").objects.get_or_create(pk=1)
    apps.get_model("governance", "IncidentResponse").objects.get_or_create(
        pk=1, defaults={"report_to": "security@company.com", "slack": "#security-incidents",
                        "response_time_sla": "4 hours business hours",
                        "escalation": "engineering-director@company.com"})
    rule = apps.get_model("governance", "VersionBumpRule")
    for level, requires, approver, turnaround in BUMP_RULES:
        rule.objects.get_or_create(level=level, defaults={
            "requires": requires, "approver": approver, "turnaround": turnaround})
    validity = apps.get_model("governance", "RiskValidity")
    for risk, months in VALIDITY:
        validity.objects.get_or_create(risk=risk, defaults={"months": months})
    classification = apps.get_model("governance", "DataClassification")
    for scope, access, conditions, extra, reason in CLASSIFICATION:
        classification.objects.get_or_create(data_scope=scope, defaults={
            "mcp_access": access, "conditions": conditions, "extra_approver": extra,
            "denial_reason": reason})


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
