package detect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaseEventName_StripsAPIVersionSuffixes(t *testing.T) {
	for in, want := range map[string]string{
		"UpdateFunctionCode20150331v2":          "UpdateFunctionCode",
		"UpdateFunctionConfiguration20150331v2": "UpdateFunctionConfiguration",
		"AddPermission20150331v2":               "AddPermission",
		"CreateFunction20150331":                "CreateFunction",
		"PublishLayerVersion20181031":           "PublishLayerVersion",
		"AddLayerVersionPermission20181031":     "AddLayerVersionPermission",
		"UpdateDistribution2020_05_31":          "UpdateDistribution",
		"StopLogging":                           "StopLogging",
		"ListObjectsV2":                         "ListObjectsV2",
		"GetObject":                             "GetObject",
		"Describe12345678":                      "Describe12345678", // not an API date
		"20150331":                              "20150331",         // nothing left to name
		"v2":                                    "v2",
		"":                                      "",
	} {
		assert.Equal(t, want, BaseEventName(in), in)
	}
}

// ruleByID finds a catalogue rule or fails the test.
func ruleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range Catalogue() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return Rule{}
}

// edgeCase is one hand-written record for one rule.
type edgeCase struct {
	name   string
	rule   string
	record string // a snippet overlaid on the example base record
	want   bool
}

func TestRules_EdgeCases(t *testing.T) {
	const otherRoot = `{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}`
	cases := []edgeCase{
		// 4.1 and error-code spellings
		{"4.1 S3 AccessDenied", "cis-4.1-unauthorized-api-call", `{"eventSource":"s3.amazonaws.com","eventName":"GetBucketPolicy","errorCode":"AccessDenied"}`, true},
		{"4.1 JSON-API AccessDeniedException", "cis-4.1-unauthorized-api-call", `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"AccessDeniedException"}`, true},
		{"4.1 ignores throttling", "cis-4.1-unauthorized-api-call", `{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","errorCode":"ThrottlingException"}`, false},
		{"4.1 ignores log delivery", "cis-4.1-unauthorized-api-call", `{"eventSource":"s3.amazonaws.com","eventName":"PutObject","errorCode":"AccessDenied","sourceIPAddress":"delivery.logs.amazonaws.com"}`, false},
		{"burst counts Forbidden", "discovery-access-denied-burst", `{"eventSource":"eks.amazonaws.com","eventName":"ListClusters","errorCode":"ForbiddenException"}`, true},

		// Console sign-in shapes
		{"4.2 federated sign-in without MFA is not CIS 4.2", "cis-4.2-console-login-without-mfa", `{"userIdentity":` + admin + `,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}`, false},
		{"4.2 missing MFAUsed counts as no MFA", "cis-4.2-console-login-without-mfa", `{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":null}`, true},
		{"4.2 failed sign-in is 4.6 not 4.2", "cis-4.2-console-login-without-mfa", `{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"}}`, false},
		{"root sign-in with MFA is still root usage", "cis-4.3-root-usage", `{"userIdentity":` + otherRoot + `,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}}`, true},
		{"root service event is not root usage", "cis-4.3-root-usage", `{"userIdentity":` + otherRoot + `,"eventType":"AwsServiceEvent","eventSource":"s3.amazonaws.com","eventName":"Something"}`, false},
		{"identity without type is not root", "cis-4.3-root-usage", `{"userIdentity":{"invokedBy":"cloudtrail.amazonaws.com"},"eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","sourceIPAddress":"cloudtrail.amazonaws.com"}`, false},

		// Lambda with version-suffixed names
		{"lambda permission for another account (suffixed)", "persistence-lambda-permission-external", `{"eventSource":"lambda.amazonaws.com","eventName":"AddPermission20150331v2","requestParameters":{"functionName":"f","principal":"444455556666","action":"lambda:InvokeFunction"}}`, true},
		{"lambda permission for own account root ARN", "persistence-lambda-permission-external", `{"eventSource":"lambda.amazonaws.com","eventName":"AddPermission20150331v2","requestParameters":{"functionName":"f","principal":"arn:aws:iam::111122223333:root"}}`, false},
		{"lambda layer permission to everyone", "persistence-lambda-permission-external", `{"eventSource":"lambda.amazonaws.com","eventName":"AddLayerVersionPermission20181031","requestParameters":{"layerName":"l","versionNumber":1,"principal":"*","action":"lambda:GetLayerVersion"}}`, true},
		{"external layer at create (unsuffixed date)", "persistence-lambda-external-layer", `{"eventSource":"lambda.amazonaws.com","eventName":"CreateFunction20150331","requestParameters":{"functionName":"f","layers":["arn:aws:lambda:us-east-1:444455556666:layer:x:1"]}}`, true},
		{"code update by CloudFormation", "persistence-lambda-code-updated-outside-iac", `{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/cfn/x","invokedBy":"cloudformation.amazonaws.com"},"sourceIPAddress":"cloudformation.amazonaws.com"}`, false},
		{"terraform user agent from an IAM user is not IaC", "persistence-lambda-code-updated-outside-iac", `{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","userAgent":` + tfUA + `}`, true},
		{"terraform user agent from a non-pipeline role is not IaC", "persistence-lambda-code-updated-outside-iac", `{"userIdentity":` + app + `,"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","userAgent":` + tfUA + `}`, true},

		// IAM users, keys, policies
		{"user creating a key for itself (path in ARN)", "persistence-access-key-for-other-user", `{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eng/alice","accountId":"111122223333","userName":"alice"},"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":{"userName":"alice"}}`, false},
		{"user creating a key for another user", "persistence-access-key-for-other-user", `{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":{"userName":"bob"}}`, true},
		{"key without userName is for the caller", "persistence-access-key-for-other-user", `{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":null}`, false},
		{"IAMFullAccess to a group", "privesc-managed-admin-policy-attached", `{"eventSource":"iam.amazonaws.com","eventName":"AttachGroupPolicy","requestParameters":{"groupName":"devs","policyArn":"arn:aws:iam::aws:policy/IAMFullAccess"}}`, true},
		{"customer policy merely named like admin", "privesc-managed-admin-policy-attached", `{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","requestParameters":{"roleName":"r","policyArn":"arn:aws:iam::111122223333:policy/AdministratorAccessReview"}}`, false},
		{"URL-encoded inline admin policy with action list", "privesc-admin-policy-document", `{"eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","requestParameters":{"roleName":"r","policyName":"p","policyDocument":"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22s3%3AGetObject%22%2C%22%2A%22%5D%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"}}`, true},
		{"inline Deny * is not admin", "privesc-admin-policy-document", `{"eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","requestParameters":{"roleName":"r","policyName":"p","policyDocument":"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}`, false},
		{"non-default admin policy version", "privesc-admin-policy-document", `{"eventSource":"iam.amazonaws.com","eventName":"CreatePolicyVersion","requestParameters":{"policyArn":"arn:aws:iam::111122223333:policy/p","setAsDefault":false,"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}}`, false},
		{"default admin policy version", "privesc-admin-policy-document", `{"eventSource":"iam.amazonaws.com","eventName":"CreatePolicyVersion","requestParameters":{"policyArn":"arn:aws:iam::111122223333:policy/p","setAsDefault":true,"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":[\"*\"]}]}"}}`, true},
		{"role created by an AWS service", "persistence-iam-role-created-outside-iac", `{"userIdentity":{"type":"AWSService","invokedBy":"sso.amazonaws.com"},"sourceIPAddress":"sso.amazonaws.com","eventSource":"iam.amazonaws.com","eventName":"CreateRole","requestParameters":{"roleName":"AWSReservedSSO_x"}}`, false},
		{"public trust at role creation", "persistence-role-trust-public", `{"eventSource":"iam.amazonaws.com","eventName":"CreateRole","requestParameters":{"roleName":"r","assumeRolePolicyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}]}"}}`, true},

		// Trail, selectors, lifecycle
		{"advanced selectors with all management events", "evasion-event-selectors-reduced", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"trailName":"t","advancedEventSelectors":[{"name":"mgmt","fieldSelectors":[{"field":"eventCategory","equals":["Management"]}]},{"name":"s3","fieldSelectors":[{"field":"eventCategory","equals":["Data"]},{"field":"resources.type","equals":["AWS::S3::Object"]}]}]}}`, false},
		{"advanced selectors narrowed to writes", "evasion-event-selectors-reduced", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"trailName":"t","advancedEventSelectors":[{"name":"mgmt","fieldSelectors":[{"field":"eventCategory","equals":["Management"]},{"field":"readOnly","equals":["false"]}]}]}}`, true},
		{"KMS events excluded from management events", "evasion-event-selectors-reduced", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"trailName":"t","eventSelectors":[{"readWriteType":"All","includeManagementEvents":true,"excludeManagementEventSources":["kms.amazonaws.com"]}]}}`, true},
		{"management events switched off", "evasion-event-selectors-reduced", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"trailName":"t","eventSelectors":[{"readWriteType":"All","includeManagementEvents":false}]}}`, true},
		{"lifecycle days as XML string on whole trail bucket", "evasion-trail-log-expiry-lifecycle", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle","requestParameters":{"bucketName":"acme-cloudtrail","LifecycleConfiguration":{"Rule":[{"ID":"x","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":"3"}}]}}}`, true},
		{"whole-bucket expiry on this platform's trail bucket", "evasion-trail-log-expiry-lifecycle", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycleConfiguration","requestParameters":{"bucketName":"ctap-trail-logs-prod-a1b2c3","LifecycleConfiguration":{"Rule":{"ID":"x","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":30}}}}}`, true},
		{"short expiry on an unrelated bucket", "evasion-trail-log-expiry-lifecycle", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle","requestParameters":{"bucketName":"tmp-uploads","LifecycleConfiguration":{"Rule":{"ID":"x","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":1}}}}}`, false},
		{"disabled expiry rule", "evasion-trail-log-expiry-lifecycle", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle","requestParameters":{"bucketName":"acme-cloudtrail","LifecycleConfiguration":{"Rule":{"ID":"x","Status":"Disabled","Filter":{"Prefix":"AWSLogs/"},"Expiration":{"Days":1}}}}}`, false},
		{"trail encryption removed", "evasion-update-trail-reduced", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","requestParameters":{"name":"t","kmsKeyId":""}}`, true},

		// Exposure
		{"RDP open to IPv6 world", "exposure-security-group-admin-port-open", `{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":3389,"toPort":3389,"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]}}]}}}`, true},
		{"all traffic open to world", "exposure-security-group-admin-port-open", `{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"-1","ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`, true},
		{"wide port range covering SSH", "exposure-security-group-admin-port-open", `{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":0,"toPort":65535,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`, true},
		{"DNS over UDP open to world", "exposure-security-group-admin-port-open", `{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"udp","fromPort":53,"toPort":53,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`, false},
		{"ModifySecurityGroupRules opening SSH", "exposure-security-group-admin-port-open", `{"eventSource":"ec2.amazonaws.com","eventName":"ModifySecurityGroupRules","requestParameters":{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-1","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-1","SecurityGroupRule":{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"CidrIpv4":"0.0.0.0/0"},"tag":1}}}}`, true},
		{"bucket policy as a string with AWS list", "exfiltration-s3-bucket-policy-public", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"bucketName":"b","bucketPolicy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"*\"]},\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}}`, true},
		{"bucket policy to everyone in the org", "exfiltration-s3-bucket-policy-public", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"bucketName":"b","bucketPolicy":{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}}}}`, false},
		{"public canned ACL", "exfiltration-s3-bucket-acl-public", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl","requestParameters":{"bucketName":"b","x-amz-acl":["public-read"]}}`, true},
		{"public access block false as strings", "exfiltration-s3-public-access-block-removed", `{"eventSource":"s3.amazonaws.com","eventName":"PutPublicAccessBlock","requestParameters":{"bucketName":"b","PublicAccessBlockConfiguration":{"BlockPublicAcls":"false","IgnorePublicAcls":"true","BlockPublicPolicy":"true","RestrictPublicBuckets":"true"}}}`, true},
		{"bucket public access block deleted", "exfiltration-s3-public-access-block-removed", `{"eventSource":"s3.amazonaws.com","eventName":"DeletePublicAccessBlock","requestParameters":{"bucketName":"b","publicAccessBlock":""}}`, true},
		{"account block via s3control", "exfiltration-s3-account-public-access-block-removed", `{"eventSource":"s3control.amazonaws.com","eventName":"PutPublicAccessBlock","requestParameters":{"PublicAccessBlockConfiguration":{"BlockPublicAcls":false,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}}`, true},
		{"bucket block is not the account block", "exfiltration-s3-account-public-access-block-removed", `{"eventSource":"s3.amazonaws.com","eventName":"DeletePublicAccessBlock","requestParameters":{"bucketName":"b"}}`, false},
		{"snapshot shared with own account", "exfiltration-ebs-snapshot-shared-external", `{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","requestParameters":{"snapshotId":"snap-1","createVolumePermission":{"add":{"items":[{"userId":"111122223333"}]}}}}`, false},
		{"cluster snapshot made public", "exfiltration-rds-snapshot-public", `{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBClusterSnapshotAttribute","requestParameters":{"dBClusterSnapshotIdentifier":"c","attributeName":"restore","valuesToAdd":["all"]}}`, true},

		// Suppression
		{"automation rule update suppressing", "evasion-securityhub-automation-suppresses", `{"eventSource":"securityhub.amazonaws.com","eventName":"BatchUpdateAutomationRules","requestParameters":{"UpdateAutomationRulesRequestItems":[{"RuleArn":"arn:x","Actions":[{"Type":"FINDING_FIELDS_UPDATE","FindingFieldsUpdate":{"Workflow":{"Status":"suppressed"}}}]}]}}`, true},
		{"findings resolved, not suppressed", "evasion-securityhub-findings-suppressed", `{"eventSource":"securityhub.amazonaws.com","eventName":"BatchUpdateFindings","requestParameters":{"Workflow":{"Status":"RESOLVED"}}}`, false},

		// Service principals in aggregates
		{"service deleting objects does not count", "impact-s3-mass-object-deletion", `{"userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com"},"sourceIPAddress":"s3.amazonaws.com","eventSource":"s3.amazonaws.com","eventName":"DeleteObject","requestParameters":{"bucketName":"b","key":"k"}}`, false},
		{"undecrypted parameter reads do not count", "credential-bulk-parameter-reads", `{"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","requestParameters":{"names":["/a","/b"]}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ruleByID(t, c.rule)
			ev := mutate(t, ev(c.record), func(map[string]any) {})
			require.NotEmpty(t, ev.EventName, "snippet did not parse: %s", c.record)
			assert.Equal(t, c.want, r.Matches(ev))
		})
	}
}

func TestRules_ResilienceEdgeCases(t *testing.T) {
	cases := []edgeCase{
		{"GPU family g4dn", "impact-ec2-mining-launch", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1,"maxCount":1}]},"instanceType":"g4dn.xlarge"}}`, true},
		{"memory family r6g is not GPU", "impact-ec2-mining-launch", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","maxCount":2}]},"instanceType":"r6g.large"}}`, false},
		{"Auto Scaling launches are not hijacking", "impact-ec2-mining-launch", `{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling","invokedBy":"autoscaling.amazonaws.com"},"sourceIPAddress":"autoscaling.amazonaws.com","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"instancesSet":{"items":[{"maxCount":50}]},"instanceType":"p3.2xlarge"}}`, false},
		{"cluster deleted without final snapshot", "impact-rds-deleted-without-final-snapshot", `{"eventSource":"rds.amazonaws.com","eventName":"DeleteDBCluster","requestParameters":{"dBClusterIdentifier":"aurora","skipFinalSnapshot":true}}`, true},
		{"logging status absent entirely", "evasion-s3-access-logging-disabled", `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketLogging","requestParameters":null}`, false},
		{"admin group name in any case", "privesc-user-added-to-admin-group", `{"eventSource":"iam.amazonaws.com","eventName":"AddUserToGroup","requestParameters":{"groupName":"org-ADMINS","userName":"x"}}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ruleByID(t, c.rule)
			assert.Equal(t, c.want, r.Matches(mutate(t, ev(c.record), func(map[string]any) {})))
		})
	}
}
