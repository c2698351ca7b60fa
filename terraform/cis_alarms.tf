# CIS AWS Foundations Benchmark monitoring controls 4.1-4.15: a metric filter
# on the trail's log group and an alarm per control, routed to an alert tier.
# Nothing here exists when enable_cloudwatch_logs is off.

locals {
  cis_controls = {
    "4.1" = {
      slug    = "unauthorized-api-calls"
      title   = "Unauthorized API calls"
      tier    = "medium"
      pattern = "{ (($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\")) && ($.sourceIPAddress != \"delivery.logs.amazonaws.com\") && ($.eventName != \"HeadBucket\") }"
    }
    "4.2" = {
      slug    = "console-signin-without-mfa"
      title   = "Management console sign-in without MFA"
      tier    = "high"
      pattern = "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") && ($.userIdentity.type = \"IAMUser\") && ($.responseElements.ConsoleLogin = \"Success\") }"
    }
    "4.3" = {
      slug    = "root-account-usage"
      title   = "Usage of the root account"
      tier    = "critical"
      pattern = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
    }
    "4.4" = {
      slug    = "iam-policy-changes"
      title   = "IAM policy changes"
      tier    = "high"
      pattern = "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }"
    }
    "4.5" = {
      slug    = "cloudtrail-config-changes"
      title   = "CloudTrail configuration changes"
      tier    = "critical"
      pattern = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
    }
    "4.6" = {
      slug    = "console-authentication-failures"
      title   = "Management console authentication failures"
      tier    = "medium"
      pattern = "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }"
    }
    "4.7" = {
      slug    = "cmk-disable-or-deletion"
      title   = "Disabling or scheduled deletion of customer managed keys"
      tier    = "critical"
      pattern = "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    }
    "4.8" = {
      slug    = "s3-bucket-policy-changes"
      title   = "S3 bucket policy changes"
      tier    = "high"
      pattern = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
    }
    "4.9" = {
      slug    = "aws-config-changes"
      title   = "AWS Config configuration changes"
      tier    = "high"
      pattern = "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"
    }
    "4.10" = {
      slug    = "security-group-changes"
      title   = "Security group changes"
      tier    = "medium"
      pattern = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"
    }
    "4.11" = {
      slug    = "nacl-changes"
      title   = "Network ACL changes"
      tier    = "medium"
      pattern = "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"
    }
    "4.12" = {
      slug    = "network-gateway-changes"
      title   = "Network gateway changes"
      tier    = "medium"
      pattern = "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"
    }
    "4.13" = {
      slug    = "route-table-changes"
      title   = "Route table changes"
      tier    = "medium"
      pattern = "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"
    }
    "4.14" = {
      slug    = "vpc-changes"
      title   = "VPC changes"
      tier    = "medium"
      pattern = "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"
    }
    "4.15" = {
      slug    = "organizations-changes"
      title   = "AWS Organizations changes"
      tier    = "high"
      pattern = "{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }"
    }
  }

  # Effective tier per control after the caller's overrides.
  cis_alarm_tiers = { for id, c in local.cis_controls : id => lookup(var.cis_alarm_tiers, id, c.tier) }

  cis_enabled_controls = var.enable_cloudwatch_logs ? local.cis_controls : {}
}

resource "aws_cloudwatch_log_metric_filter" "cis" {
  for_each = local.cis_enabled_controls

  name           = "${var.name_prefix}-cis-${replace(each.key, ".", "-")}-${each.value.slug}-${local.env_suffix}"
  log_group_name = aws_cloudwatch_log_group.trail[0].name
  pattern        = each.value.pattern

  metric_transformation {
    name          = "cis-${replace(each.key, ".", "-")}-${each.value.slug}"
    namespace     = local.names.cis_metric_namespace
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "cis" {
  for_each = local.cis_enabled_controls

  alarm_name          = "${var.name_prefix}-cis-${replace(each.key, ".", "-")}-${each.value.slug}-${local.env_suffix}"
  alarm_description   = "CIS ${each.key}: ${each.value.title} (tier ${local.cis_alarm_tiers[each.key]})."
  namespace           = local.names.cis_metric_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.cis[each.key].metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts[local.cis_alarm_tiers[each.key]].arn]
  tags                = merge(local.common_tags, { CISControl = each.key, AlertTier = local.cis_alarm_tiers[each.key] })
}
