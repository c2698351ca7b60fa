package detect

import (
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// persistenceRules catch new ways back in and new power: credentials for
// other users, admin policies, opened trust, code changes outside IaC.
func persistenceRules() []Rule {
	return []Rule{
		{
			ID: "persistence-access-key-for-other-user", Title: "Access key created for another user",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1098.001", References: []string{"ATT&CK T1098.001"},
			Description: "CreateAccessKey named a user other than the caller (roles and root have no own user, so any named user is another).",
			EventSource: "iam.amazonaws.com", EventNames: []string{"CreateAccessKey"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && forOtherUser(e) },
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + app + `,"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":{"userName":"ci-deployer"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLENEWKEY01","status":"Active","userName":"ci-deployer"}}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":{"userName":"alice"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLENEWKEY02","status":"Active","userName":"alice"}}}`),
			},
		},
		{
			ID: "persistence-login-profile-for-other-user", Title: "Console password set for another user",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1098", References: []string{"ATT&CK T1098"},
			Description: "CreateLoginProfile or UpdateLoginProfile for a user other than the caller: console access to someone else's identity.",
			EventSource: "iam.amazonaws.com", EventNames: []string{"CreateLoginProfile", "UpdateLoginProfile"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && forOtherUser(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"CreateLoginProfile","requestParameters":{"userName":"svc-backup","passwordResetRequired":false}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"UpdateLoginProfile","requestParameters":{"userName":"alice","passwordResetRequired":false}}`),
			},
		},
		{
			ID: "privesc-managed-admin-policy-attached", Title: "Administrator managed policy attached",
			Severity: finding.High, Tactic: "Privilege Escalation", Technique: "T1098.003", References: []string{"CIS 4.4", "ATT&CK T1098.003"},
			Description: "AdministratorAccess or IAMFullAccess was attached to a user, role or group.",
			EventSource: "iam.amazonaws.com", EventNames: []string{"AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"},
			Match: func(e *cloudtrail.Event) bool {
				arn := param(e, "policyArn")
				return succeeded(e) && (strings.HasSuffix(arn, ":policy/AdministratorAccess") || strings.HasSuffix(arn, ":policy/IAMFullAccess"))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","requestParameters":{"userName":"alice","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","requestParameters":{"userName":"alice","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}`),
			},
		},
		{
			ID: "privesc-admin-policy-document", Title: "Policy granting full administrator access",
			Severity: finding.High, Tactic: "Privilege Escalation", Technique: "T1098.003", References: []string{"CIS 4.4", "ATT&CK T1098.003"},
			Description: "An inline policy (Put*Policy) or a new default policy version allows \"*\" / \"*:*\" / \"iam:*\" on Resource \"*\".",
			EventSource: "iam.amazonaws.com", EventNames: []string{"PutUserPolicy", "PutRolePolicy", "PutGroupPolicy", "CreatePolicyVersion"},
			Match: func(e *cloudtrail.Event) bool {
				if !succeeded(e) {
					return false
				}
				if BaseEventName(e.EventName) == "CreatePolicyVersion" && !isTrue(get(params(e), "setAsDefault")) {
					return false
				}
				return anyStatement(e, adminStatement, "policyDocument")
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","requestParameters":{"userName":"alice","policyName":"x","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*:*\",\"Resource\":\"*\"}}"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","requestParameters":{"userName":"alice","policyName":"x","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"}}`),
			},
		},
		{
			ID: "persistence-role-trust-policy-changed", Title: "Role trust policy changed",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1098", References: []string{"CIS 4.4", "ATT&CK T1098"},
			Description: "UpdateAssumeRolePolicy: who may assume the role changed, a classic backdoor into another account.",
			EventSource: "iam.amazonaws.com", EventNames: []string{"UpdateAssumeRolePolicy"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"UpdateAssumeRolePolicy","requestParameters":{"roleName":"OrganizationAccountAccessRole","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"sts:AssumeRole\"}]}"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"UpdateAssumeRolePolicy","errorCode":"MalformedPolicyDocument","requestParameters":{"roleName":"OrganizationAccountAccessRole","policyDocument":"{"}}`),
			},
		},
		{
			ID: "persistence-role-trust-public", Title: "Role assumable by anyone",
			Severity: finding.Critical, Tactic: "Persistence", Technique: "T1098", References: []string{"ATT&CK T1098"},
			Description: "A role's trust policy (CreateRole or UpdateAssumeRolePolicy) allows Principal \"*\" without conditions.",
			EventSource: "iam.amazonaws.com", EventNames: []string{"CreateRole", "UpdateAssumeRolePolicy"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && (anyStatement(e, publicStatement, "assumeRolePolicyDocument") || anyStatement(e, publicStatement, "policyDocument"))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"UpdateAssumeRolePolicy","requestParameters":{"roleName":"ops","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}"}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"UpdateAssumeRolePolicy","requestParameters":{"roleName":"ops","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-example\"}}}]}"}}`),
			},
		},
		{
			ID: "persistence-iam-user-created-outside-iac", Title: "IAM user created outside infrastructure as code",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1136.003", References: []string{"ATT&CK T1136.003"},
			Description: "CreateUser not made by CloudFormation or by a Terraform/Pulumi pipeline role (see byIaC for the heuristic).",
			EventSource: "iam.amazonaws.com", EventNames: []string{"CreateUser"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byIaC(e) && !byService(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"CreateUser","requestParameters":{"userName":"support-temp"}}`),
				Negative: ev(`{"userIdentity":` + tfRole + `,"userAgent":` + tfUA + `,"eventSource":"iam.amazonaws.com","eventName":"CreateUser","requestParameters":{"userName":"svc-reporting"}}`),
			},
		},
		{
			ID: "persistence-iam-role-created-outside-iac", Title: "IAM role created outside infrastructure as code",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1136.003", References: []string{"ATT&CK T1136.003"},
			Description: "CreateRole not made by CloudFormation, a Terraform/Pulumi pipeline role, or an AWS service (see byIaC).",
			EventSource: "iam.amazonaws.com", EventNames: []string{"CreateRole"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byIaC(e) && !byService(e) },
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + admin + `,"eventSource":"iam.amazonaws.com","eventName":"CreateRole","requestParameters":{"roleName":"break-glass","assumeRolePolicyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"sts:AssumeRole\"}]}"}}`),
				Negative: ev(`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/cdk-cfn-exec-role/AWSCloudFormation","accountId":"111122223333","invokedBy":"cloudformation.amazonaws.com"},"sourceIPAddress":"cloudformation.amazonaws.com","userAgent":"cloudformation.amazonaws.com","eventSource":"iam.amazonaws.com","eventName":"CreateRole","requestParameters":{"roleName":"stack-fn-role"}}`),
			},
		},
		{
			ID: "persistence-lambda-code-updated-outside-iac", Title: "Lambda code changed outside infrastructure as code",
			Severity: finding.Medium, Tactic: "Persistence", Technique: "T1525", References: []string{"ATT&CK T1525"},
			Description: "UpdateFunctionCode (any API version, e.g. UpdateFunctionCode20150331v2) not made by CloudFormation or a pipeline role.",
			EventSource: "lambda.amazonaws.com", EventNames: []string{"UpdateFunctionCode"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byIaC(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","requestParameters":{"functionName":"payments-webhook","zipFile":"<sensitive>","publish":true}}`),
				Negative: ev(`{"userIdentity":` + tfRole + `,"userAgent":` + tfUA + `,"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","requestParameters":{"functionName":"payments-webhook","s3Bucket":"artifacts","s3Key":"fn.zip"}}`),
			},
		},
		{
			ID: "persistence-lambda-external-layer", Title: "Lambda function uses a layer from another account",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1525", References: []string{"ATT&CK T1525"},
			Description: "CreateFunction or UpdateFunctionConfiguration added a layer owned by an account other than the function's: foreign code runs in the function.",
			EventSource: "lambda.amazonaws.com", EventNames: []string{"CreateFunction", "UpdateFunctionConfiguration"},
			Match: func(e *cloudtrail.Event) bool {
				if !succeeded(e) {
					return false
				}
				for _, l := range strs(get(params(e), "layers")) {
					if external(e, l) {
						return true
					}
				}
				return false
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"payments-webhook","layers":["arn:aws:lambda:us-east-1:444455556666:layer:helper:3"]}}`),
				Negative: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"functionName":"payments-webhook","memorySize":512}}`),
			},
		},
		{
			ID: "persistence-lambda-permission-external", Title: "Lambda function opened to another account or everyone",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1546", References: []string{"ATT&CK T1546"},
			Description: "AddPermission (any API version) granted Principal \"*\" or another account the right to call a function or layer.",
			EventSource: "lambda.amazonaws.com", EventNames: []string{"AddPermission", "AddLayerVersionPermission"},
			Match: func(e *cloudtrail.Event) bool {
				p := get(params(e), "principal")
				pr := str(p)
				return succeeded(e) && (pr == "*" || external(e, pr))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"AddPermission20150331v2","requestParameters":{"functionName":"payments-webhook","statementId":"x","action":"lambda:InvokeFunction","principal":"*"}}`),
				Negative: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"AddPermission20150331v2","requestParameters":{"functionName":"payments-webhook","statementId":"s3","action":"lambda:InvokeFunction","principal":"s3.amazonaws.com","sourceArn":"arn:aws:s3:::uploads"}}`),
			},
		},
		{
			ID: "persistence-lambda-public-url", Title: "Lambda function URL without authentication",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1546", References: []string{"ATT&CK T1546"},
			Description: "A function URL was created or updated with authType NONE: anyone on the internet can invoke it.",
			EventSource: "lambda.amazonaws.com", EventNames: []string{"CreateFunctionUrlConfig", "UpdateFunctionUrlConfig"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && strings.EqualFold(param(e, "authType"), "NONE") },
			Examples: Examples{
				Positive: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"CreateFunctionUrlConfig","requestParameters":{"functionName":"payments-webhook","authType":"NONE"}}`),
				Negative: ev(`{"eventSource":"lambda.amazonaws.com","eventName":"CreateFunctionUrlConfig","requestParameters":{"functionName":"payments-webhook","authType":"AWS_IAM"}}`),
			},
		},
		{
			ID: "persistence-federation-token", Title: "Federation token issued",
			Severity: finding.Medium, Tactic: "Persistence", Technique: "T1550.001", References: []string{"ATT&CK T1550.001"},
			Description: "GetFederationToken: the session outlives revoking the user's access key, a known persistence trick. Rare in normal use.",
			EventSource: "sts.amazonaws.com", EventNames: []string{"GetFederationToken"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","requestParameters":{"name":"backup","durationSeconds":129600}}`),
				Negative: ev(`{"eventSource":"sts.amazonaws.com","eventName":"GetSessionToken","requestParameters":{"durationSeconds":3600}}`),
			},
		},
		{
			ID: "persistence-rolesanywhere-trust-anchor", Title: "IAM Roles Anywhere trust anchor created",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1098", References: []string{"ATT&CK T1098"},
			Description: "CreateTrustAnchor: certificates from this CA can now obtain role credentials from outside AWS.",
			EventSource: "rolesanywhere.amazonaws.com", EventNames: []string{"CreateTrustAnchor"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateTrustAnchor","requestParameters":{"name":"lab","enabled":true,"source":{"sourceType":"CERTIFICATE_BUNDLE"}}}`),
				Negative: ev(`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"ListTrustAnchors","readOnly":true,"requestParameters":null}`),
			},
		},
		{
			ID: "persistence-ec2-user-data-modified", Title: "EC2 instance user data changed",
			Severity: finding.High, Tactic: "Persistence", Technique: "T1059.009", References: []string{"ATT&CK T1059.009"},
			Description: "ModifyInstanceAttribute set userData: the script runs as root at next boot.",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"ModifyInstanceAttribute"},
			Match: func(e *cloudtrail.Event) bool {
				p := params(e)
				return succeeded(e) && (get(p, "userData") != nil || strings.EqualFold(str(get(p, "attribute")), "userData"))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"ModifyInstanceAttribute","requestParameters":{"instanceId":"i-0123456789abcdef0","userData":"<sensitiveDataRemoved>"}}`),
				Negative: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"ModifyInstanceAttribute","requestParameters":{"instanceId":"i-0123456789abcdef0","instanceType":{"value":"m5.large"}}}`),
			},
		},
		{
			ID: "execution-ssm-command-many-instances", Title: "SSM command sent to many instances",
			Severity: finding.Medium, Tactic: "Execution", Technique: "T1651", References: []string{"ATT&CK T1651"},
			Description: "SendCommand targeted 10 or more instance IDs, or tag/wildcard targets, outside IaC: fleet-wide remote execution.",
			EventSource: "ssm.amazonaws.com", EventNames: []string{"SendCommand"},
			Match: func(e *cloudtrail.Event) bool {
				p := params(e)
				return succeeded(e) && !byIaC(e) && (len(items(get(p, "instanceIds"))) >= 10 || len(items(get(p, "targets"))) > 0)
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","requestParameters":{"documentName":"AWS-RunShellScript","targets":[{"key":"InstanceIds","values":["*"]}],"parameters":"HIDDEN_DUE_TO_SECURITY_REASONS"}}`),
				Negative: ev(`{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","requestParameters":{"documentName":"AWS-RunPatchBaseline","instanceIds":["i-0123456789abcdef0"]}}`),
			},
		},
		{
			ID: "persistence-root-access-key-created", Title: "Root access key created",
			Severity: finding.Critical, Tactic: "Persistence", Technique: "T1098.001", References: []string{"CIS 1.4", "ATT&CK T1098.001"},
			Description: "The root user created an access key for itself: long-lived, unrestricted credentials.",
			EventSource: "iam.amazonaws.com", EventNames: []string{"CreateAccessKey"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && e.UserIdentity.Type == "Root" && param(e, "userName") == ""
			},
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + root + `,"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":null,"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLEROOTKEY1","status":"Active"}}}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","requestParameters":null,"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLENEWKEY03","status":"Active","userName":"alice"}}}`),
			},
		},
		{
			ID: "evasion-password-policy-deleted", Title: "IAM password policy deleted or weakened",
			Severity: finding.Medium, Tactic: "Defense Evasion", Technique: "T1556", References: []string{"CIS 1.8", "ATT&CK T1556"},
			Description: "DeleteAccountPasswordPolicy, or UpdateAccountPasswordPolicy with a minimum length under 14 (the CIS minimum).",
			EventSource: "iam.amazonaws.com", EventNames: []string{"DeleteAccountPasswordPolicy", "UpdateAccountPasswordPolicy"},
			Match: func(e *cloudtrail.Event) bool {
				if !succeeded(e) {
					return false
				}
				if BaseEventName(e.EventName) == "DeleteAccountPasswordPolicy" {
					return true
				}
				n, ok := number(get(params(e), "minimumPasswordLength"))
				return ok && n < 14
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"iam.amazonaws.com","eventName":"DeleteAccountPasswordPolicy","requestParameters":null}`),
				Negative: ev(`{"eventSource":"iam.amazonaws.com","eventName":"UpdateAccountPasswordPolicy","requestParameters":{"minimumPasswordLength":16,"requireSymbols":true}}`),
			},
		},
	}
}

// forOtherUser reports an IAM call whose userName parameter names someone
// other than the calling IAM user.
func forOtherUser(e *cloudtrail.Event) bool {
	target := param(e, "userName")
	if target == "" {
		return false // no userName: the caller acts on itself
	}
	return target != callerUserName(e)
}
