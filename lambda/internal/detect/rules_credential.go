package detect

import (
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// credentialRules catch secret harvesting and stolen-credential probing.
func credentialRules() []Rule {
	return []Rule{
		{
			ID: "credential-bulk-secret-reads", Title: "Bulk Secrets Manager reads by one principal",
			Severity: finding.High, Tactic: "Credential Access", Technique: "T1555.006", References: []string{"ATT&CK T1555.006"},
			Description: "25 or more successful GetSecretValue/BatchGetSecretValue calls by one principal in 10 minutes (AWS services excluded).",
			EventSource: "secretsmanager.amazonaws.com", EventNames: []string{"GetSecretValue", "BatchGetSecretValue"},
			Match:     func(e *cloudtrail.Event) bool { return succeeded(e) && !byService(e) },
			Aggregate: &Aggregate{Threshold: 25, Window: tenMinutes, Key: principalKey},
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + app + `,"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","readOnly":true,"requestParameters":{"secretId":"prod/db/password"}}`),
				Negative: ev(`{"userIdentity":` + app + `,"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","readOnly":true,"errorCode":"ResourceNotFoundException","requestParameters":{"secretId":"prod/db/missing"}}`),
			},
		},
		{
			ID: "credential-bulk-parameter-reads", Title: "Bulk SecureString parameter reads by one principal",
			Severity: finding.High, Tactic: "Credential Access", Technique: "T1552", References: []string{"ATT&CK T1552"},
			Description: "25 or more successful decrypted SSM parameter reads (withDecryption) by one principal in 10 minutes.",
			EventSource: "ssm.amazonaws.com", EventNames: []string{"GetParameter", "GetParameters", "GetParametersByPath"},
			Match: func(e *cloudtrail.Event) bool {
				// Parameter reads are among the most frequent calls, so scan
				// the raw JSON for the one flag instead of decoding it all.
				v, _ := e.Param("withDecryption")
				return succeeded(e) && !byService(e) && isTrue(v)
			},
			Aggregate: &Aggregate{Threshold: 25, Window: tenMinutes, Key: principalKey},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ssm.amazonaws.com","eventName":"GetParametersByPath","readOnly":true,"requestParameters":{"path":"/prod/","recursive":true,"withDecryption":true}}`),
				Negative: ev(`{"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","readOnly":true,"requestParameters":{"name":"/prod/feature-flags","withDecryption":false}}`),
			},
		},
		{
			ID: "credential-ec2-password-data", Title: "EC2 Windows password data retrieved",
			Severity: finding.High, Tactic: "Credential Access", Technique: "T1552.005", References: []string{"ATT&CK T1552.005"},
			Description: "GetPasswordData succeeded: the caller can decrypt the instance's Administrator password with the key pair.",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"GetPasswordData"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"GetPasswordData","readOnly":true,"requestParameters":{"instanceId":"i-0123456789abcdef0"}}`),
				Negative: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"GetPasswordData","readOnly":true,"errorCode":"Client.UnauthorizedOperation","requestParameters":{"instanceId":"i-0123456789abcdef0"}}`),
			},
		},
		{
			ID: "credential-ec2-user-data-read", Title: "EC2 instance user data read",
			Severity: finding.Medium, Tactic: "Credential Access", Technique: "T1552.005", References: []string{"ATT&CK T1552.005"},
			Description: "DescribeInstanceAttribute for userData outside IaC (Terraform reads it on refresh): user data often holds bootstrap secrets.",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"DescribeInstanceAttribute"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && strings.EqualFold(param(e, "attribute"), "userData") && !byIaC(e)
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstanceAttribute","readOnly":true,"requestParameters":{"instanceId":"i-0123456789abcdef0","attribute":"userData"}}`),
				Negative: ev(`{"userIdentity":` + tfRole + `,"userAgent":` + tfUA + `,"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstanceAttribute","readOnly":true,"requestParameters":{"instanceId":"i-0123456789abcdef0","attribute":"userData"}}`),
			},
		},
		{
			ID: "discovery-access-denied-burst", Title: "Burst of AccessDenied errors by one principal",
			Severity: finding.High, Tactic: "Discovery", Technique: "T1580", References: []string{"CIS 4.1", "ATT&CK T1580"},
			Description: "20 or more denied calls by one principal in 10 minutes: typical of stolen credentials being enumerated. " +
				"Counts every service's spelling of access denied (AccessDenied, *AccessDeniedException, Client.UnauthorizedOperation, Forbidden...), " +
				"except log delivery and HeadBucket probes.",
			Match: func(e *cloudtrail.Event) bool {
				return e.IsAccessDenied() && e.SourceIPAddress != "delivery.logs.amazonaws.com" && e.EventName != "HeadBucket"
			},
			Aggregate: &Aggregate{Threshold: 20, Window: tenMinutes, Key: principalKey},
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + app + `,"eventSource":"iam.amazonaws.com","eventName":"ListUsers","readOnly":true,"errorCode":"AccessDenied","errorMessage":"not authorized to perform: iam:ListUsers"}`),
				Negative: ev(`{"userIdentity":` + app + `,"eventSource":"iam.amazonaws.com","eventName":"ListUsers","readOnly":true}`),
			},
		},
		{
			ID: "credential-console-login-brute-force", Title: "Repeated console sign-in failures from one source",
			Severity: finding.High, Tactic: "Credential Access", Technique: "T1110", References: []string{"CIS 4.6", "ATT&CK T1110"},
			Description: "5 or more failed console sign-ins from one source IP in 10 minutes.",
			EventSource: "signin.amazonaws.com", EventNames: []string{"ConsoleLogin"},
			Match:     func(e *cloudtrail.Event) bool { return e.ErrorMessage == "Failed authentication" },
			Aggregate: &Aggregate{Threshold: 5, Window: tenMinutes, Key: func(e *cloudtrail.Event) string { return e.SourceIPAddress }},
			Examples: Examples{
				Positive: ev(`{"userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE0001","accountId":"111122223333","userName":"alice"},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","sourceIPAddress":"198.51.100.77","errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"}}`),
				Negative: ev(`{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}}`),
			},
		},
		{
			ID: "initial-access-root-console-login-without-mfa", Title: "Root console sign-in without MFA",
			Severity: finding.Critical, Tactic: "Initial Access", Technique: "T1078.004", References: []string{"CIS 4.3", "CIS 1.5", "ATT&CK T1078.004"},
			Description: "The root user signed in to the console without MFA.",
			EventSource: "signin.amazonaws.com", EventNames: []string{"ConsoleLogin"},
			Match: func(e *cloudtrail.Event) bool {
				return e.UserIdentity.Type == "Root" && consoleLoginSucceeded(e) && !mfaUsed(e)
			},
			Examples: Examples{
				Positive: ev(`{"userIdentity":` + root + `,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"}}`),
				Negative: ev(`{"userIdentity":` + root + `,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}}`),
			},
		},
	}
}
