"""Reads of the policy rows, as the pure `PolicyData` the policy functions take."""

from .models import CapabilityRule, DataClassification, Organisation, RiskValidity, VersionBumpRule
from .policy import capabilities, routing


def current_policy() -> routing.PolicyData:
    """The policy in force: the stored rows, with the defaults for anything not stored."""
    defaults = routing.PolicyData()
    org = Organisation.objects.filter(pk=1).first()
    bump_rules = dict(defaults.bump_rules)
    for rule in VersionBumpRule.objects.all():
        bump_rules[rule.level] = routing.BumpRuleData(rule.requires, rule.approver, rule.turnaround)
    validity = dict(defaults.validity_months)
    validity.update(RiskValidity.objects.values_list("risk", "months"))
    classification = dict(defaults.classification)
    for row in DataClassification.objects.all():
        classification[row.data_scope] = routing.ClassificationData(
            row.mcp_access, row.extra_approver, row.denial_reason
        )
    return routing.PolicyData(
        new_server_approver=org.new_server_approver if org else defaults.new_server_approver,
        new_server_turnaround=org.new_server_turnaround if org else defaults.new_server_turnaround,
        high_risk_approver=org.high_risk_approver if org else defaults.high_risk_approver,
        bump_rules=bump_rules,
        validity_months=validity,
        classification=classification,
    )


def capability_rules() -> dict[str, str]:
    """The capability rules in force (change -> the lowest bump level), read when an
    inspection's outcome classifies a bump: the stored rows, the defaults where none is."""
    rules = dict(capabilities.DEFAULT_RULES)
    rules.update(CapabilityRule.objects.values_list("change", "min_level"))
    return rules
