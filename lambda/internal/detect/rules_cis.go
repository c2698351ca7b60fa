package detect

import (
	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// cisRules implement the CIS AWS Foundations Benchmark monitoring controls
// 4.1-4.15 with the semantics of their CloudWatch metric filters. Where the
// filter ignores errorCode, the change rules here require success: a denied
// change changed nothing, and 4.1 reports the denial.
func cisRules() []Rule {
	return []Rule{
		{
			ID: "cis-4.1-unauthorized-api-call", Title: "Unauthorized API call",
			Severity: finding.Low, Tactic: "Discovery", Technique: "T1526", References: []string{"CIS 4.1"},
			Description: "A call was denied (errorCode *UnauthorizedOperation or AccessDenied*), except log delivery and HeadBucket probes, as in the CIS filter. " +
				"Low because single denials are routine; the AccessDenied burst rule pages on volume.",
			Match: func(e *cloudtrail.Event) bool {
				return cisUnauthorized(e) && e.SourceIPAddress != "delivery.logs.amazonaws.com" && e.EventName != "HeadBucket"
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","readOnly":true,"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation."}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"HeadBucket","readOnly":true,"errorCode":"AccessDenied","requestParameters":{"bucketName":"probe"}}`),
			},
		},
		{
			ID: "cis-4.2-console-login-without-mfa", Title: "Console sign-in without MFA",
			Severity: finding.Medium, Tactic: "Initial Access", Technique: "T1078.004", References: []string{"CIS 4.2"},
			Description: "An IAM user signed in to the console successfully without MFA (additionalEventData.MFAUsed != \"Yes\"). " +
				"Federated (SSO) sign-ins are excluded as in CIS v3: their MFA happens at the identity provider.",
			EventSource: "signin.amazonaws.com", EventNames: []string{"ConsoleLogin"},
			Match: func(e *cloudtrail.Event) bool {
				return e.UserIdentity.Type == "IAMUser" && consoleLoginSucceeded(e) && !mfaUsed(e)
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}}`),
				Negative: ev(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MobileVersion":"No","MFAUsed":"Yes"}}`),
			},
		},
		{
			ID: "cis-4.3-root-usage", Title: "Root user activity",
			Severity: finding.Critical, Tactic: "Privilege Escalation", Technique: "T1078.004", References: []string{"CIS 4.3"},
			Description: "The root user made a call (not a service acting for root, not a service event). Failed calls count too: they prove someone holds root credentials.",
			Match:       isRoot,
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + root + `,"eventSource":"iam.amazonaws.com","eventName":"ListUsers","readOnly":true}`),
				Negative: ev(`{"userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","invokedBy":"support.amazonaws.com"},"eventSource":"iam.amazonaws.com","eventName":"ListUsers","sourceIPAddress":"support.amazonaws.com"}`),
			},
		},
		cisChange("cis-4.4-iam-policy-change", "IAM policy changed", "CIS 4.4", "Privilege Escalation", "T1098",
			"iam.amazonaws.com", []string{"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
				"CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
				"AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"},
			`{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","requestParameters":{"roleName":"app-server","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`,
			`{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","errorCode":"AccessDenied","requestParameters":{"roleName":"app-server","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`),
		cisChange("cis-4.5-cloudtrail-config-change", "CloudTrail configuration changed", "CIS 4.5", "Defense Evasion", "T1562.008",
			"cloudtrail.amazonaws.com", []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"},
			`{"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","requestParameters":{"name":"management-trail","s3BucketName":"org-trail-logs"}}`,
			`{"eventSource":"cloudtrail.amazonaws.com","eventName":"DescribeTrails","readOnly":true,"requestParameters":{"trailNameList":[]}}`),
		{
			ID: "cis-4.6-console-auth-failure", Title: "Console authentication failure",
			Severity: finding.Medium, Tactic: "Credential Access", Technique: "T1110", References: []string{"CIS 4.6"},
			Description: "A console sign-in failed (errorMessage \"Failed authentication\"). The failure is the signal, so no success check.",
			EventSource: "signin.amazonaws.com", EventNames: []string{"ConsoleLogin"},
			Match: func(e *cloudtrail.Event) bool { return e.ErrorMessage == "Failed authentication" },
			Examples: Examples{
				Positive: ev(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"}}`),
				Negative: ev(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}}`),
			},
		},
		{
			ID: "cis-4.7-cmk-disabled-or-scheduled-deletion", Title: "KMS key disabled or scheduled for deletion",
			Severity: finding.High, Tactic: "Impact", Technique: "T1485", References: []string{"CIS 4.7"},
			Description: "A customer managed KMS key was disabled or scheduled for deletion: everything it encrypts becomes unreadable.",
			EventSource: "kms.amazonaws.com", EventNames: []string{"DisableKey", "ScheduleKeyDeletion"},
			Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"kms.amazonaws.com","eventName":"ScheduleKeyDeletion","requestParameters":{"keyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","pendingWindowInDays":7}}`),
				Negative: ev(`{"eventSource":"kms.amazonaws.com","eventName":"EnableKey","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}}`),
			},
		},
		cisChange("cis-4.8-s3-bucket-policy-change", "S3 bucket policy changed", "CIS 4.8", "Defense Evasion", "T1562",
			"s3.amazonaws.com", []string{"PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
				"DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"},
			`{"eventSource":"s3.amazonaws.com","eventName":"DeleteBucketPolicy","requestParameters":{"bucketName":"finance-reports","policy":""}}`,
			`{"eventSource":"s3.amazonaws.com","eventName":"GetBucketPolicy","readOnly":true,"requestParameters":{"bucketName":"finance-reports","policy":""}}`),
		cisChange("cis-4.9-config-change", "AWS Config configuration changed", "CIS 4.9", "Defense Evasion", "T1562",
			"config.amazonaws.com", []string{"StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"},
			`{"eventSource":"config.amazonaws.com","eventName":"PutDeliveryChannel","requestParameters":{"deliveryChannel":{"name":"default","s3BucketName":"config-bucket"}}}`,
			`{"eventSource":"config.amazonaws.com","eventName":"PutDeliveryChannel","errorCode":"InsufficientDeliveryPolicyException","requestParameters":{"deliveryChannel":{"name":"default"}}}`),
		cisChange("cis-4.10-security-group-change", "Security group changed", "CIS 4.10", "Defense Evasion", "T1562.007",
			"ec2.amazonaws.com", []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
				"RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules"},
			`{"eventSource":"ec2.amazonaws.com","eventName":"RevokeSecurityGroupIngress","requestParameters":{"groupId":"sg-0123456789abcdef0","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeSecurityGroups","readOnly":true,"requestParameters":{"securityGroupIdSet":{}}}`),
		cisChange("cis-4.11-nacl-change", "Network ACL changed", "CIS 4.11", "Defense Evasion", "T1562.007",
			"ec2.amazonaws.com", []string{"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
				"ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"},
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateNetworkAclEntry","requestParameters":{"networkAclId":"acl-0123456789abcdef0","ruleNumber":100,"egress":false,"ruleAction":"allow","cidrBlock":"0.0.0.0/0","aclProtocol":"-1"}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateNetworkAclEntry","errorCode":"Client.UnauthorizedOperation","requestParameters":{"networkAclId":"acl-0123456789abcdef0"}}`),
		cisChange("cis-4.12-network-gateway-change", "Network gateway changed", "CIS 4.12", "Defense Evasion", "T1562.007",
			"ec2.amazonaws.com", []string{"CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
				"DeleteInternetGateway", "DetachInternetGateway"},
			`{"eventSource":"ec2.amazonaws.com","eventName":"AttachInternetGateway","requestParameters":{"internetGatewayId":"igw-0123456789abcdef0","vpcId":"vpc-0123456789abcdef0"}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInternetGateways","readOnly":true,"requestParameters":{"internetGatewayIdSet":{}}}`),
		cisChange("cis-4.13-route-table-change", "Route table changed", "CIS 4.13", "Defense Evasion", "T1562.007",
			"ec2.amazonaws.com", []string{"CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
				"DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"},
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateRoute","requestParameters":{"routeTableId":"rtb-0123456789abcdef0","destinationCidrBlock":"0.0.0.0/0","gatewayId":"igw-0123456789abcdef0"}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateRoute","errorCode":"Client.RouteAlreadyExists","requestParameters":{"routeTableId":"rtb-0123456789abcdef0"}}`),
		cisChange("cis-4.14-vpc-change", "VPC changed", "CIS 4.14", "Defense Evasion", "T1562.007",
			"ec2.amazonaws.com", []string{"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
				"DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
				"DisableVpcClassicLink", "EnableVpcClassicLink"},
			`{"eventSource":"ec2.amazonaws.com","eventName":"CreateVpcPeeringConnection","requestParameters":{"vpcId":"vpc-0123456789abcdef0","peerVpcId":"vpc-0fedcba9876543210","peerOwnerId":"444455556666"}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeVpcs","readOnly":true,"requestParameters":{"vpcSet":{}}}`),
		cisChange("cis-4.15-organizations-change", "AWS Organizations changed", "CIS 4.15", "Defense Evasion", "T1484",
			"organizations.amazonaws.com", []string{"AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
				"DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType",
				"EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
				"UpdatePolicy", "UpdateOrganizationalUnit"},
			`{"eventSource":"organizations.amazonaws.com","eventName":"DetachPolicy","requestParameters":{"policyId":"p-examplescp","targetId":"ou-abcd-12345678"}}`,
			`{"eventSource":"organizations.amazonaws.com","eventName":"ListPolicies","readOnly":true,"requestParameters":{"filter":"SERVICE_CONTROL_POLICY"}}`),
	}
}

// cisChange is a CIS change-monitoring rule: any successful call of the
// listed names, medium severity.
func cisChange(id, title, ref, tactic, technique, source string, names []string, positive, negative string) Rule {
	return Rule{
		ID: id, Title: title, Severity: finding.Medium, Tactic: tactic, Technique: technique, References: []string{ref},
		Description: title + ": a successful " + source + " call that the " + ref + " metric filter watches. Failed calls are left to 4.1.",
		EventSource: source, EventNames: names, Match: succeeded,
		Examples: Examples{Positive: ev(positive), Negative: ev(negative)},
	}
}

// consoleLoginSucceeded reads responseElements.ConsoleLogin.
func consoleLoginSucceeded(e *cloudtrail.Event) bool {
	return e.ErrorCode == "" && e.ErrorMessage == "" && e.ConsoleLoginResult() == "Success"
}

// mfaUsed reads additionalEventData.MFAUsed ("Yes"/"No").
func mfaUsed(e *cloudtrail.Event) bool { return e.MFAUsed() }
