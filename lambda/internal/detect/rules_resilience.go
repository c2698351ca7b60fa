package detect

import (
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// resilienceRules catch the quieter preparations for an attack: recovery
// paths destroyed, account-wide defaults weakened, new identity providers
// and group memberships, and compute hijacked for mining.
func resilienceRules() []Rule {
	return []Rule{
		{
			ID: "impact-rds-deleted-without-final-snapshot", Title: "RDS database deleted without a final snapshot",
			Severity: finding.High, Tactic: "Impact", Technique: "T1485", References: []string{"ATT&CK T1485"},
			Description: "DeleteDBInstance or DeleteDBCluster with skipFinalSnapshot=true: the data is gone unless older backups survive.",
			EventSource: "rds.amazonaws.com", EventNames: []string{"DeleteDBInstance", "DeleteDBCluster"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && isTrue(get(params(e), "skipFinalSnapshot")) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"rds.amazonaws.com","eventName":"DeleteDBInstance","requestParameters":{"dBInstanceIdentifier":"prod-db","skipFinalSnapshot":true,"deleteAutomatedBackups":true}}`),
				Negative: ev(`{"eventSource":"rds.amazonaws.com","eventName":"DeleteDBInstance","requestParameters":{"dBInstanceIdentifier":"test-db","skipFinalSnapshot":false,"finalDBSnapshotIdentifier":"test-db-final"}}`),
			},
		},
		{
			ID: "impact-backup-recovery-point-deleted", Title: "AWS Backup recovery point or vault deleted",
			Severity: finding.High, Tactic: "Impact", Technique: "T1490", References: []string{"ATT&CK T1490"},
			Description: "DeleteRecoveryPoint, DeleteBackupVault or DeleteBackupVaultLockConfiguration by a principal (lifecycle expiry by AWS Backup itself is excluded): ransomware removes backups first.",
			EventSource: "backup.amazonaws.com", EventNames: []string{"DeleteRecoveryPoint", "DeleteBackupVault", "DeleteBackupVaultLockConfiguration"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byService(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"backup.amazonaws.com","eventName":"DeleteRecoveryPoint","requestParameters":{"backupVaultName":"prod-vault","recoveryPointArn":"arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"}}`),
				Negative: ev(`{"userIdentity":{"type":"AWSService","invokedBy":"backup.amazonaws.com"},"sourceIPAddress":"backup.amazonaws.com","eventSource":"backup.amazonaws.com","eventName":"DeleteRecoveryPoint","requestParameters":{"backupVaultName":"prod-vault","recoveryPointArn":"arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"}}`),
			},
		},
		{
			ID: "evasion-ebs-default-encryption-disabled", Title: "EBS encryption by default disabled",
			Severity: finding.High, Tactic: "Defense Evasion", Technique: "T1562", References: []string{"CIS 2.2.1", "ATT&CK T1562"},
			Description: "DisableEbsEncryptionByDefault: new volumes in the region are created unencrypted (and so shareable).",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"DisableEbsEncryptionByDefault"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"DisableEbsEncryptionByDefault","requestParameters":{"DisableEbsEncryptionByDefaultRequest":""},"responseElements":{"DisableEbsEncryptionByDefaultResponse":{"ebsEncryptionByDefault":false}}}`),
				Negative: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"EnableEbsEncryptionByDefault","requestParameters":{"EnableEbsEncryptionByDefaultRequest":""}}`),
			},
		},
		{
			ID: "evasion-s3-access-logging-disabled", Title: "S3 server access logging disabled",
			Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"CIS 3.4", "ATT&CK T1562.008"},
			Description: "PutBucketLogging without a LoggingEnabled element turns the bucket's access logging off.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"PutBucketLogging"},
			Match: func(e *cloudtrail.Event) bool {
				p := params(e)
				status := get(p, "BucketLoggingStatus")
				return succeeded(e) && status != nil && get(status, "LoggingEnabled") == nil
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLogging","requestParameters":{"bucketName":"org-cloudtrail-logs","logging":"","BucketLoggingStatus":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLogging","requestParameters":{"bucketName":"org-cloudtrail-logs","logging":"","BucketLoggingStatus":{"LoggingEnabled":{"TargetBucket":"access-logs","TargetPrefix":"trail/"}}}}`),
			},
		},
		{
			ID: "persistence-identity-provider-changed", Title: "IAM SAML or OIDC identity provider created or changed",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1484.002", References: []string{"ATT&CK T1484.002"},
			Description: "A SAML or OpenID Connect provider was created or updated: whoever controls it can mint sessions for roles that trust it.",
			EventSource: "iam.amazonaws.com",
			EventNames:  []string{"CreateSAMLProvider", "UpdateSAMLProvider", "CreateOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint"},
			Match:       succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"CreateSAMLProvider","requestParameters":{"name":"corp-idp","sAMLMetadataDocument":"<EntityDescriptor/>"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"ListSAMLProviders","readOnly":true,"requestParameters":null}`),
			},
		},
		{
			ID: "privesc-user-added-to-admin-group", Title: "User added to an administrators group",
			Severity: finding.High, Tactic: "Privilege Escalation", Technique: "T1098", References: []string{"ATT&CK T1098"},
			Description: "AddUserToGroup into a group whose name contains \"admin\".",
			EventSource: "iam.amazonaws.com", EventNames: []string{"AddUserToGroup"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && strings.Contains(strings.ToLower(param(e, "groupName")), "admin")
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"AddUserToGroup","requestParameters":{"groupName":"Administrators","userName":"mallory"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"AddUserToGroup","requestParameters":{"groupName":"developers","userName":"dave"}}`),
			},
		},
		{
			ID: "impact-ec2-mining-launch", Title: "EC2 launch typical of resource hijacking",
			Severity: finding.Medium, Tactic: "Impact", Technique: "T1496", References: []string{"ATT&CK T1496"},
			Description: "RunInstances outside IaC and Auto Scaling that asks for 10 or more instances or GPU/accelerator types (p, g, inf, trn, dl families).",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"RunInstances"},
			Match: func(e *cloudtrail.Event) bool {
				if !succeeded(e) || byIaC(e) || byService(e) {
					return false
				}
				p := params(e)
				if gpuInstanceType(str(get(p, "instanceType"))) {
					return true
				}
				for _, it := range items(get(p, "instancesSet")) {
					if n, ok := number(get(it, "maxCount")); ok && n >= 10 {
						return true
					}
				}
				return false
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"ap-southeast-2","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-0123456789abcdef0","minCount":1,"maxCount":20}]},"instanceType":"p4d.24xlarge"}}`),
				Negative: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-0123456789abcdef0","minCount":1,"maxCount":1}]},"instanceType":"t3.micro"}}`),
			},
		},
		{
			ID: "evasion-cloudtrail-lake-stopped", Title: "CloudTrail Lake event data store stopped or deleted",
			Severity: finding.Critical, Tactic: "Defense Evasion", Technique: "T1562.008", References: []string{"ATT&CK T1562.008"},
			Description: "StopEventDataStoreIngestion or DeleteEventDataStore: the queryable event archive stops recording or goes away.",
			EventSource: "cloudtrail.amazonaws.com", EventNames: []string{"StopEventDataStoreIngestion", "DeleteEventDataStore"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopEventDataStoreIngestion","requestParameters":{"eventDataStore":"arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"}}`),
				Negative: ev(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"StartEventDataStoreIngestion","requestParameters":{"eventDataStore":"arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"}}`),
			},
		},
		{
			ID: "impact-secret-force-deleted", Title: "Secret deleted without a recovery window",
			Severity: finding.High, Tactic: "Impact", Technique: "T1485", References: []string{"ATT&CK T1485"},
			Description: "DeleteSecret with forceDeleteWithoutRecovery=true: the secret cannot be restored.",
			EventSource: "secretsmanager.amazonaws.com", EventNames: []string{"DeleteSecret"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && isTrue(get(params(e), "forceDeleteWithoutRecovery"))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"secretsmanager.amazonaws.com","eventName":"DeleteSecret","requestParameters":{"secretId":"prod/db/password","forceDeleteWithoutRecovery":true}}`),
				Negative: ev(`{"eventSource":"secretsmanager.amazonaws.com","eventName":"DeleteSecret","requestParameters":{"secretId":"old/api-key","recoveryWindowInDays":30}}`),
			},
		},
		{
			ID: "privesc-lambda-role-changed-outside-iac", Title: "Lambda execution role changed outside infrastructure as code",
			Severity: finding.High, Tactic: "Privilege Escalation", Technique: "T1098", References: []string{"ATT&CK T1098"},
			Description: "UpdateFunctionConfiguration (any API version) set a new execution role outside IaC: the function's code now runs with that role's permissions.",
			EventSource: "lambda.amazonaws.com", EventNames: []string{"UpdateFunctionConfiguration"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && param(e, "role") != "" && !byIaC(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"payments-webhook","role":"arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"}}`),
				Negative: ev(`{"userIdentity":` + tfRole + `,"userAgent":` + tfUA + `,"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"payments-webhook","role":"arn:aws:iam::111122223333:role/payments-webhook"}}`),
			},
		},
		{
			ID: "impact-s3-versioning-suspended", Title: "S3 bucket versioning suspended",
			Severity: finding.High, Tactic: "Impact", Technique: "T1490", References: []string{"ATT&CK T1490"},
			Description: "PutBucketVersioning with Status Suspended: overwritten and deleted objects can no longer be recovered (a ransomware preparation step).",
			EventSource: "s3.amazonaws.com", EventNames: []string{"PutBucketVersioning"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && strings.EqualFold(str(get(params(e), "VersioningConfiguration", "Status")), "Suspended")
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"finance-reports","versioning":"","VersioningConfiguration":{"Status":"Suspended","xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","requestParameters":{"bucketName":"finance-reports","versioning":"","VersioningConfiguration":{"Status":"Enabled"}}}`),
			},
		},
		{
			ID: "evasion-eventbridge-rule-disabled", Title: "EventBridge rule disabled or deleted outside infrastructure as code",
			Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1562.001", References: []string{"ATT&CK T1562.001"},
			Description: "DisableRule, DeleteRule or RemoveTargets outside IaC: real-time detection and automated responses run on EventBridge rules.",
			EventSource: "events.amazonaws.com", EventNames: []string{"DisableRule", "DeleteRule", "RemoveTargets"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byIaC(e) && !byService(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"events.amazonaws.com","eventName":"DisableRule","requestParameters":{"name":"ctap-cloudtrail-events-prod-a1b2c3"}}`),
				Negative: ev(`{"eventSource":"events.amazonaws.com","eventName":"EnableRule","requestParameters":{"name":"ctap-cloudtrail-events-prod-a1b2c3"}}`),
			},
		},
	}
}

// gpuInstanceType reports accelerated-computing families (p3, g5, inf2,
// trn1, dl1...), the usual choice for cryptomining.
func gpuInstanceType(t string) bool {
	family, _, _ := strings.Cut(strings.ToLower(t), ".")
	for _, prefix := range []string{"p", "g", "inf", "trn", "dl"} {
		rest, ok := strings.CutPrefix(family, prefix)
		if ok && rest != "" && isDigit(rest[0]) {
			return true
		}
	}
	return false
}
