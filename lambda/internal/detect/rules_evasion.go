package detect

import (
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// evasionRules catch attempts to blind the platform: logging stopped,
// reduced or expired, detectors disabled, findings suppressed.
func evasionRules() []Rule {
	return []Rule{
		{
			ID: "evasion-stop-logging", Title: "CloudTrail logging stopped",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"CIS 4.5", "ATT&CK T1562.008"},
			Description: "StopLogging succeeded: the trail records nothing until logging is started again.",
			EventSource: "cloudtrail.amazonaws.com", EventNames: []string{"StopLogging"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + root + `,"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","requestParameters":{"name":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management-trail"}}`),
				Negative: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","errorCode":"AccessDenied","requestParameters":{"name":"management-trail"}}`),
			},
		},
		{
			ID: "evasion-delete-trail", Title: "CloudTrail trail deleted",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"CIS 4.5", "ATT&CK T1562.008"},
			Description: "DeleteTrail succeeded.",
			EventSource: "cloudtrail.amazonaws.com", EventNames: []string{"DeleteTrail"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","requestParameters":{"name":"management-trail"}}`),
				Negative: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","errorCode":"TrailNotFoundException","requestParameters":{"name":"typo-trail"}}`),
			},
		},
		{
			ID: "evasion-event-selectors-reduced", Title: "CloudTrail event selectors reduce logging",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"CIS 4.5", "ATT&CK T1562.008"},
			Description: "PutEventSelectors left the trail without full management-event logging: no selector logs all read and write " +
				"management events, or management event sources are excluded.",
			EventSource: "cloudtrail.amazonaws.com", EventNames: []string{"PutEventSelectors"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && selectorsReduce(params(e)) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"trailName":"management-trail","eventSelectors":[{"readWriteType":"ReadOnly","includeManagementEvents":true,"dataResources":[]}]}}`),
				Negative: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"trailName":"management-trail","eventSelectors":[{"readWriteType":"All","includeManagementEvents":true,"dataResources":[{"type":"AWS::S3::Object","values":["arn:aws:s3"]}]}]}}`),
			},
		},
		{
			ID: "evasion-update-trail-reduced", Title: "CloudTrail trail updated to reduce logging",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"CIS 4.5", "ATT&CK T1562.008"},
			Description: "UpdateTrail turned off multi-region logging, global service events or log file validation, or removed KMS encryption.",
			EventSource: "cloudtrail.amazonaws.com", EventNames: []string{"UpdateTrail"},
			Match: func(e *cloudtrail.Event) bool {
				p := params(e)
				kms := get(p, "kmsKeyId")
				return succeeded(e) && (isFalse(get(p, "isMultiRegionTrail")) || isFalse(get(p, "includeGlobalServiceEvents")) ||
					isFalse(get(p, "enableLogFileValidation")) || (kms != nil && str(kms) == ""))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","requestParameters":{"name":"management-trail","isMultiRegionTrail":false}}`),
				Negative: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","requestParameters":{"name":"management-trail","isMultiRegionTrail":true,"enableLogFileValidation":true}}`),
			},
		},
		{
			ID: "evasion-trail-log-expiry-lifecycle", Title: "Lifecycle rule expires CloudTrail logs",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1070", References: []string{"CIS 4.8", "ATT&CK T1070"},
			Description: "A bucket lifecycle rule expires objects under AWSLogs/ (or a whole bucket named like a trail bucket) in under 90 days: " +
				"the evidence deletes itself.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"PutBucketLifecycle", "PutBucketLifecycleConfiguration"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && lifecycleExpiresTrailLogs(params(e)) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle","requestParameters":{"bucketName":"org-cloudtrail-logs","lifecycle":"","LifecycleConfiguration":{"Rule":{"ID":"cleanup","Status":"Enabled","Filter":{"Prefix":"AWSLogs/"},"Expiration":{"Days":1}}}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle","requestParameters":{"bucketName":"org-cloudtrail-logs","lifecycle":"","LifecycleConfiguration":{"Rule":[{"ID":"archive","Status":"Enabled","Filter":{"Prefix":""},"Transition":{"Days":90,"StorageClass":"GLACIER"},"Expiration":{"Days":2555}}]}}}`),
			},
		},
		{
			ID: "evasion-guardduty-detector-deleted", Title: "GuardDuty detector deleted",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "DeleteDetector succeeded: GuardDuty stops monitoring the account and region.",
			EventSource: "guardduty.amazonaws.com", EventNames: []string{"DeleteDetector"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"DeleteDetector","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0"}}`),
				Negative: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"GetDetector","readOnly":true,"requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0"}}`),
			},
		},
		{
			ID: "evasion-guardduty-detector-disabled", Title: "GuardDuty detector disabled",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "UpdateDetector set enable=false.",
			EventSource: "guardduty.amazonaws.com", EventNames: []string{"UpdateDetector"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && isFalse(get(params(e), "enable")) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"UpdateDetector","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0","enable":false}}`),
				Negative: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"UpdateDetector","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0","findingPublishingFrequency":"FIFTEEN_MINUTES"}}`),
			},
		},
		{
			ID: "evasion-guardduty-findings-archived", Title: "GuardDuty filter auto-archives findings",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "CreateFilter/UpdateFilter with action ARCHIVE: matching findings are archived as soon as they are raised.",
			EventSource: "guardduty.amazonaws.com", EventNames: []string{"CreateFilter", "UpdateFilter"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && strings.EqualFold(param(e, "action"), "ARCHIVE")
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"CreateFilter","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0","name":"quiet","action":"ARCHIVE","findingCriteria":{"criterion":{"severity":{"gte":1}}}}}`),
				Negative: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"CreateFilter","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0","name":"triage","action":"NOOP"}}`),
			},
		},
		{
			ID: "evasion-guardduty-trusted-ip-list", Title: "GuardDuty trusted IP list created or changed",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "CreateIPSet/UpdateIPSet: GuardDuty raises no findings for traffic from trusted IPs, so an attacker lists their own.",
			EventSource: "guardduty.amazonaws.com", EventNames: []string{"CreateIPSet", "UpdateIPSet"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"CreateIPSet","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0","name":"office","format":"TXT","location":"https://s3.amazonaws.com/attacker/ips.txt","activate":true}}`),
				Negative: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"ListIPSets","readOnly":true,"requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0"}}`),
			},
		},
		{
			ID: "evasion-guardduty-member-disassociated", Title: "GuardDuty member account detached",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "A member left its GuardDuty administrator, or the administrator stopped monitoring or removed members.",
			EventSource: "guardduty.amazonaws.com",
			EventNames:  []string{"DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "StopMonitoringMembers", "DisassociateMembers", "DeleteMembers"},
			Match:       succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"DisassociateFromAdministratorAccount","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0"}}`),
				Negative: ev(`{"eventSource":"guardduty.amazonaws.com","eventName":"DisassociateFromAdministratorAccount","errorCode":"AccessDeniedException","requestParameters":{"detectorId":"12abc34d567e8fa901bc2d34e56789f0"}}`),
			},
		},
		{
			ID: "evasion-config-recorder-stopped", Title: "AWS Config recorder stopped or deleted",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"CIS 4.9", "ATT&CK T1562.001"},
			Description: "StopConfigurationRecorder, DeleteConfigurationRecorder or DeleteDeliveryChannel: resource history stops.",
			EventSource: "config.amazonaws.com", EventNames: []string{"StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel"},
			Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"config.amazonaws.com","eventName":"StopConfigurationRecorder","requestParameters":{"configurationRecorderName":"default"}}`),
				Negative: ev(`{"eventSource":"config.amazonaws.com","eventName":"StartConfigurationRecorder","requestParameters":{"configurationRecorderName":"default"}}`),
			},
		},
		{
			ID: "evasion-vpc-flow-logs-deleted", Title: "VPC flow logs deleted",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"ATT&CK T1562.008"},
			Description: "DeleteFlowLogs succeeded: network evidence stops.",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"DeleteFlowLogs"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"DeleteFlowLogs","requestParameters":{"DeleteFlowLogsRequest":{"FlowLogId":{"content":"fl-0123456789abcdef0","tag":1}}}}`),
				Negative: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"CreateFlowLogs","requestParameters":{"CreateFlowLogsRequest":{"ResourceId":{"content":"vpc-0123456789abcdef0","tag":1}}}}`),
			},
		},
		{
			ID: "evasion-dns-query-logging-deleted", Title: "DNS query logging deleted",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"ATT&CK T1562.008"},
			Description: "A Route 53 Resolver query log config was deleted or disassociated from a VPC.",
			EventSource: "route53resolver.amazonaws.com", EventNames: []string{"DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"},
			Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"route53resolver.amazonaws.com","eventName":"DeleteResolverQueryLogConfig","requestParameters":{"resolverQueryLogConfigId":"rqlc-0123456789abcdef"}}`),
				Negative: ev(`{"eventSource":"route53resolver.amazonaws.com","eventName":"ListResolverQueryLogConfigs","readOnly":true,"requestParameters":{}}`),
			},
		},
		{
			ID: "evasion-route53-query-logging-deleted", Title: "Route 53 public zone query logging deleted",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"ATT&CK T1562.008"},
			Description: "DeleteQueryLoggingConfig removed query logging from a public hosted zone.",
			EventSource: "route53.amazonaws.com", EventNames: []string{"DeleteQueryLoggingConfig"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"route53.amazonaws.com","eventName":"DeleteQueryLoggingConfig","awsRegion":"us-east-1","requestParameters":{"id":"87654321-dcba-4321-dcba-0987654321fe"}}`),
				Negative: ev(`{"eventSource":"route53.amazonaws.com","eventName":"CreateQueryLoggingConfig","requestParameters":{"hostedZoneId":"Z1D633PJN98FT9"}}`),
			},
		},
		{
			ID: "evasion-securityhub-findings-suppressed", Title: "Security Hub findings suppressed",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "BatchUpdateFindings set Workflow.Status to SUPPRESSED.",
			EventSource: "securityhub.amazonaws.com", EventNames: []string{"BatchUpdateFindings"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && suppresses(params(e)) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"securityhub.amazonaws.com","eventName":"BatchUpdateFindings","requestParameters":{"FindingIdentifiers":[{"Id":"arn:aws:securityhub:us-east-1:111122223333:finding/1","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/guardduty"}],"Workflow":{"Status":"SUPPRESSED"}}}`),
				Negative: ev(`{"eventSource":"securityhub.amazonaws.com","eventName":"BatchUpdateFindings","requestParameters":{"FindingIdentifiers":[{"Id":"1"}],"Workflow":{"Status":"NOTIFIED"}}}`),
			},
		},
		{
			ID: "evasion-securityhub-automation-suppresses", Title: "Security Hub automation rule suppresses findings",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "An automation rule was created or updated whose action sets Workflow.Status to SUPPRESSED: future findings vanish.",
			EventSource: "securityhub.amazonaws.com", EventNames: []string{"CreateAutomationRule", "BatchUpdateAutomationRules"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && suppresses(params(e)) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"securityhub.amazonaws.com","eventName":"CreateAutomationRule","requestParameters":{"RuleName":"noise","RuleStatus":"ENABLED","Criteria":{"SeverityLabel":[{"Value":"CRITICAL","Comparison":"EQUALS"}]},"Actions":[{"Type":"FINDING_FIELDS_UPDATE","FindingFieldsUpdate":{"Workflow":{"Status":"SUPPRESSED"}}}]}}`),
				Negative: ev(`{"eventSource":"securityhub.amazonaws.com","eventName":"CreateAutomationRule","requestParameters":{"RuleName":"tag","Actions":[{"Type":"FINDING_FIELDS_UPDATE","FindingFieldsUpdate":{"Note":{"Text":"owned by team-a","UpdatedBy":"ops"}}}]}}`),
			},
		},
		{
			ID: "evasion-securityhub-disabled", Title: "Security Hub disabled",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "DisableSecurityHub, or a member left its Security Hub administrator.",
			EventSource: "securityhub.amazonaws.com", EventNames: []string{"DisableSecurityHub", "DisassociateFromAdministratorAccount", "DisassociateFromMasterAccount"},
			Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"securityhub.amazonaws.com","eventName":"DisableSecurityHub","requestParameters":null}`),
				Negative: ev(`{"eventSource":"securityhub.amazonaws.com","eventName":"EnableSecurityHub","requestParameters":{"EnableDefaultStandards":true}}`),
			},
		},
		{
			ID: "evasion-leave-organization", Title: "Account left the organization",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562", References: []string{"CIS 4.15", "ATT&CK T1562"},
			Description: "LeaveOrganization succeeded: the account escapes SCPs and the organization trail.",
			EventSource: "organizations.amazonaws.com", EventNames: []string{"LeaveOrganization"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + root + `,"eventSource":"organizations.amazonaws.com","eventName":"LeaveOrganization","requestParameters":null}`),
				Negative: ev(`{"eventSource":"organizations.amazonaws.com","eventName":"LeaveOrganization","errorCode":"AccessDeniedException","errorMessage":"blocked by SCP","requestParameters":null}`),
			},
		},
		{
			ID: "evasion-cloudwatch-alarm-disabled", Title: "CloudWatch alarms deleted or silenced",
			Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "DeleteAlarms or DisableAlarmActions: the CIS alarms stop paging.",
			EventSource: "monitoring.amazonaws.com", EventNames: []string{"DeleteAlarms", "DisableAlarmActions"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"monitoring.amazonaws.com","eventName":"DeleteAlarms","requestParameters":{"alarmNames":["cis-4.3-root-usage"]}}`),
				Negative: ev(`{"eventSource":"monitoring.amazonaws.com","eventName":"EnableAlarmActions","requestParameters":{"alarmNames":["cis-4.3-root-usage"]}}`),
			},
		},
		{
			ID: "evasion-log-group-deleted", Title: "CloudWatch log group or subscription deleted",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1070", References: []string{"ATT&CK T1070"},
			Description: "DeleteLogGroup or DeleteSubscriptionFilter: logs (or their real-time delivery to detection) are gone.",
			EventSource: "logs.amazonaws.com", EventNames: []string{"DeleteLogGroup", "DeleteSubscriptionFilter"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byIaC(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"logs.amazonaws.com","eventName":"DeleteLogGroup","requestParameters":{"logGroupName":"/aws/cloudtrail/org-trail"}}`),
				Negative: ev(`{"eventSource":"logs.amazonaws.com","eventName":"DeleteLogGroup","userIdentity":{"type":"AWSService","invokedBy":"cloudformation.amazonaws.com"},"sourceIPAddress":"cloudformation.amazonaws.com","requestParameters":{"logGroupName":"/aws/lambda/old-stack-fn"}}`),
			},
		},
		{
			ID: "evasion-mfa-device-deactivated", Title: "MFA device deactivated or deleted",
			Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1556.006", References: []string{"ATT&CK T1556.006"},
			Description: "DeactivateMFADevice or DeleteVirtualMFADevice: an account loses its second factor.",
			EventSource: "iam.amazonaws.com", EventNames: []string{"DeactivateMFADevice", "DeleteVirtualMFADevice"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"DeactivateMFADevice","requestParameters":{"userName":"carol","serialNumber":"arn:aws:iam::111122223333:mfa/carol"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"EnableMFADevice","requestParameters":{"userName":"carol","serialNumber":"arn:aws:iam::111122223333:mfa/carol"}}`),
			},
		},
		{
			ID: "evasion-access-analyzer-deleted", Title: "IAM Access Analyzer deleted",
			Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "DeleteAnalyzer: external-access findings stop.",
			EventSource: "access-analyzer.amazonaws.com", EventNames: []string{"DeleteAnalyzer"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"access-analyzer.amazonaws.com","eventName":"DeleteAnalyzer","requestParameters":{"analyzerName":"org-analyzer"}}`),
				Negative: ev(`{"eventSource":"access-analyzer.amazonaws.com","eventName":"CreateAnalyzer","requestParameters":{"analyzerName":"org-analyzer","type":"ORGANIZATION"}}`),
			},
		},
	}
}

// selectorsReduce reports PutEventSelectors parameters that leave the trail
// without full management-event logging. Without the previous settings the
// rule cannot see a diff, so it judges the new state against the baseline
// this platform deploys (all management events, read and write).
func selectorsReduce(p any) bool {
	if basic := items(get(p, "eventSelectors")); len(basic) > 0 {
		full := false
		for _, s := range basic {
			rw := str(get(s, "readWriteType"))
			inc := get(s, "includeManagementEvents")
			if (rw == "" || rw == "All") && (inc == nil || isTrue(inc)) && len(items(get(s, "excludeManagementEventSources"))) == 0 {
				full = true
			}
		}
		return !full
	}
	if adv := items(get(p, "advancedEventSelectors")); len(adv) > 0 {
		for _, s := range adv {
			mgmt, narrowed := false, false
			for _, fs := range items(get(s, "fieldSelectors")) {
				switch str(get(fs, "field")) {
				case "eventCategory":
					for _, v := range strs(get(fs, "equals")) {
						if v == "Management" {
							mgmt = true
						}
					}
				default:
					narrowed = true
				}
			}
			if mgmt && !narrowed {
				return false
			}
		}
		return true
	}
	// Neither list present (or both empty): every selector was removed.
	_, isObject := p.(map[string]any)
	return isObject
}

// trailBucketMarkers are substrings of bucket names that hold CloudTrail
// logs: this platform's "<prefix>-trail-logs-<env>", Control Tower's
// "aws-controltower-logs-...", and common log-archive names.
var trailBucketMarkers = []string{"cloudtrail", "trail-log", "audit-log", "controltower-logs", "log-archive"}

// lifecycleExpiresTrailLogs reports an enabled lifecycle rule that expires
// CloudTrail objects within 90 days.
func lifecycleExpiresTrailLogs(p any) bool {
	bucket := strings.ToLower(str(get(p, "bucketName")))
	trailBucket := false
	for _, m := range trailBucketMarkers {
		trailBucket = trailBucket || strings.Contains(bucket, m)
	}
	for _, r := range items(get(p, "LifecycleConfiguration", "Rule")) {
		if !strings.EqualFold(str(get(r, "Status")), "Enabled") {
			continue
		}
		exp := get(r, "Expiration")
		days, hasDays := number(get(exp, "Days"))
		short := (hasDays && days < 90) || str(get(exp, "Date")) != ""
		if !short {
			continue
		}
		prefix := str(get(r, "Filter", "Prefix"))
		if prefix == "" {
			prefix = str(get(r, "Filter", "And", "Prefix"))
		}
		if prefix == "" {
			prefix = str(get(r, "Prefix"))
		}
		if strings.HasPrefix(prefix, "AWSLogs") || (prefix == "" && trailBucket) {
			return true
		}
	}
	return false
}

// suppresses reports a Workflow.Status of SUPPRESSED anywhere in p.
func suppresses(p any) bool {
	found := false
	walk(p, func(k string, v any) {
		if strings.EqualFold(k, "Workflow") && strings.EqualFold(str(get(v, "Status")), "SUPPRESSED") {
			found = true
		}
	})
	return found
}
