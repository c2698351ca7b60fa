package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// world is the organization the traffic comes from: accounts and the
// principals that act in them.
type world struct {
	orgID    string
	accounts []string
	users    []string // IAM user names
	roles    []appRole
}

type appRole struct {
	name    string // role name
	session string // session name pattern
	agent   string // user agent
}

func newWorld(rng *rand.Rand, accounts int) *world {
	w := &world{orgID: "o-" + lowerAlnum(rng, 10)}
	seen := map[string]bool{}
	for len(w.accounts) < accounts {
		a := fmt.Sprintf("%012d", 100000000000+rng.Int64N(899999999999))
		if !seen[a] && a != exampleAccount {
			seen[a] = true
			w.accounts = append(w.accounts, a)
		}
	}
	w.users = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory-ci", "reporting-bot"}
	w.roles = []appRole{
		{"app-server", "i-%s", "aws-sdk-go-v2/1.36.0 os/linux lang/go#1.24 md/GOARCH#arm64"},
		{"orders-api", "orders-api-%s", "aws-sdk-java/2.25.60 Linux/5.10 OpenJDK_64-Bit_Server_VM/17"},
		{"batch-etl", "etl-%s", "Boto3/1.34.100 md/Botocore#1.34.100 ua/2.0 os/linux#5.10 lang/python#3.12.3"},
		{"AWSReservedSSO_ReadOnly_5a1b", "%s@example.com", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"},
		{"AWSReservedSSO_Developer_77c2", "%s@example.com", "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8"},
		{"monitoring-collector", "collector-%s", "aws-sdk-go/1.51.0 (go1.22.2; linux; amd64)"},
	}
	return w
}

func lowerAlnum(rng *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// uuid returns a random (version 4 shaped) UUID from rng.
func (w *world) uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

// record is a CloudTrail record with the field order CloudTrail writes.
type record struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        any             `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID,omitempty"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []resource      `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	SharedEventID       string          `json:"sharedEventID,omitempty"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          *tlsDetails     `json:"tlsDetails,omitempty"`
	SessionFromConsole  string          `json:"sessionCredentialFromConsole,omitempty"`
}

type resource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

type tlsDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// identity is userIdentity; only the fields CloudTrail sets are written.
type identity struct {
	Type           string          `json:"type,omitempty"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

type sessionContext struct {
	SessionIssuer *issuer `json:"sessionIssuer,omitempty"`
	Attributes    struct {
		CreationDate     string `json:"creationDate"`
		MFAAuthenticated string `json:"mfaAuthenticated"`
	} `json:"attributes"`
}

type issuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// actor is who makes a background call.
type actor struct {
	id      identity
	ip      string
	agent   string
	console bool
}

func (w *world) actor(rng *rand.Rand, account string, at time.Time, kind int) actor {
	created := at.Add(-time.Duration(rng.IntN(3600)) * time.Second).Format(time.RFC3339)
	switch kind {
	case 0: // IAM user with an access key
		u := w.users[rng.IntN(len(w.users))]
		return actor{
			id: identity{Type: "IAMUser", PrincipalID: "AIDA" + upperAlnum(rng, 17), ARN: "arn:aws:iam::" + account + ":user/" + u,
				AccountID: account, AccessKeyID: "AKIA" + upperAlnum(rng, 16), UserName: u},
			ip: publicIP(rng), agent: "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5 md/arch#x86_64 lang/python#3.11.8",
		}
	default: // assumed role: application, SSO console or CLI session
		r := w.roles[rng.IntN(len(w.roles))]
		session := fmt.Sprintf(r.session, lowerAlnum(rng, 8))
		if strings.Contains(r.session, "@") {
			session = fmt.Sprintf(r.session, w.users[rng.IntN(len(w.users))])
		}
		roleARN := "arn:aws:iam::" + account + ":role/" + r.name
		if strings.HasPrefix(r.name, "AWSReservedSSO") {
			roleARN = "arn:aws:iam::" + account + ":role/aws-reserved/sso.amazonaws.com/" + r.name
		}
		pid := "AROA" + upperAlnum(rng, 17)
		sc := &sessionContext{SessionIssuer: &issuer{Type: "Role", PrincipalID: pid, ARN: roleARN, AccountID: account, UserName: r.name}}
		sc.Attributes.CreationDate = created
		sc.Attributes.MFAAuthenticated = "false"
		console := strings.HasPrefix(r.agent, "Mozilla")
		if console {
			sc.Attributes.MFAAuthenticated = "true"
		}
		ip := "10.0." + fmt.Sprint(rng.IntN(255)) + "." + fmt.Sprint(1+rng.IntN(254))
		if strings.HasPrefix(r.name, "AWSReserved") {
			ip = publicIP(rng)
		}
		return actor{
			id: identity{Type: "AssumedRole", PrincipalID: pid + ":" + session, ARN: "arn:aws:sts::" + account + ":assumed-role/" + r.name + "/" + session,
				AccountID: account, AccessKeyID: "ASIA" + upperAlnum(rng, 16), SessionContext: sc},
			ip: ip, agent: r.agent, console: console,
		}
	}
}

func upperAlnum(rng *rand.Rand, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// publicIP draws from the documentation ranges, so no real address appears.
func publicIP(rng *rand.Rand) string {
	nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
	return nets[rng.IntN(len(nets))] + fmt.Sprint(1+rng.IntN(254))
}

// call is one kind of background API call.
type call struct {
	source, name string
	readOnly     bool
	global       bool // IAM, STS global endpoint, sign-in: recorded in us-east-1 only
	data         bool // a data event (S3 objects, Lambda invoke)
	params       func(rng *rand.Rand, account, region string) string
	response     func(rng *rand.Rand, account, region string) string
	// errors are benign failure codes drawn now and then; never an
	// authorization failure, which CIS 4.1 rightly reports.
	errors []string
	weight int
}

func lit(s string) func(*rand.Rand, string, string) string {
	return func(*rand.Rand, string, string) string { return s }
}

var buckets = []string{"app-assets", "orders-exports", "ml-training-data", "static-site", "logs-archive"}

// calls is the background traffic mix; weights approximate a busy account.
var calls = []call{
	{source: "s3.amazonaws.com", name: "GetObject", readOnly: true, data: true, weight: 18,
		params: func(rng *rand.Rand, a, _ string) string {
			return fmt.Sprintf(`{"bucketName":"%s-%s","Host":"%s-%s.s3.amazonaws.com","key":"data/%04d/part-%05d.parquet"}`, buckets[rng.IntN(len(buckets))], a, buckets[rng.IntN(len(buckets))], a, rng.IntN(2000), rng.IntN(99999))
		},
		errors: []string{"NoSuchKey"}},
	{source: "s3.amazonaws.com", name: "PutObject", data: true, weight: 8,
		params: func(rng *rand.Rand, a, _ string) string {
			return fmt.Sprintf(`{"bucketName":"%s-%s","Host":"%s-%s.s3.amazonaws.com","key":"uploads/%s.json","x-amz-server-side-encryption":"aws:kms"}`, buckets[rng.IntN(len(buckets))], a, buckets[rng.IntN(len(buckets))], a, lowerAlnum(rng, 12))
		},
		response: lit(`{"x-amz-server-side-encryption":"aws:kms"}`)},
	{source: "s3.amazonaws.com", name: "ListObjects", readOnly: true, data: true, weight: 4,
		params: func(rng *rand.Rand, a, _ string) string {
			return fmt.Sprintf(`{"bucketName":"%s-%s","prefix":"data/","list-type":"2","max-keys":"1000"}`, buckets[rng.IntN(len(buckets))], a)
		}},
	{source: "s3.amazonaws.com", name: "GetBucketLocation", readOnly: true, weight: 2,
		params: func(rng *rand.Rand, a, _ string) string {
			return fmt.Sprintf(`{"bucketName":"%s-%s","location":""}`, buckets[rng.IntN(len(buckets))], a)
		}},
	{source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, weight: 9,
		params:   lit(`{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Environment","valueSet":{"items":[{"value":"prod"}]}}]}}`),
		response: nil, errors: []string{"RequestLimitExceeded"}},
	{source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", readOnly: true, weight: 3, params: lit(`{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`)},
	{source: "ec2.amazonaws.com", name: "DescribeVolumes", readOnly: true, weight: 2, params: lit(`{"volumeSet":{},"filterSet":{}}`)},
	{source: "ec2.amazonaws.com", name: "CreateTags", weight: 1,
		params: func(rng *rand.Rand, _, _ string) string {
			return fmt.Sprintf(`{"resourcesSet":{"items":[{"resourceId":"i-%s"}]},"tagSet":{"items":[{"key":"owner","value":"team-%d"}]}}`, lowerHex(rng, 17), rng.IntN(9))
		},
		response: lit(`{"_return":true}`)},
	{source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true, weight: 4, params: lit(`null`)},
	{source: "sts.amazonaws.com", name: "AssumeRole", readOnly: true, weight: 5,
		params: func(rng *rand.Rand, a, _ string) string {
			return fmt.Sprintf(`{"roleArn":"arn:aws:iam::%s:role/app-server","roleSessionName":"i-%s","durationSeconds":3600}`, a, lowerHex(rng, 17))
		},
		response: func(rng *rand.Rand, a, _ string) string {
			return fmt.Sprintf(`{"credentials":{"accessKeyId":"ASIA%s","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE","expiration":"Jan 15, 2026, 11:00:00 AM"},"assumedRoleUser":{"assumedRoleId":"AROA%s:i-0abc","arn":"arn:aws:sts::%s:assumed-role/app-server/i-0abc"}}`, upperAlnum(rng, 16), upperAlnum(rng, 17), a)
		}},
	{source: "iam.amazonaws.com", name: "GetRole", readOnly: true, global: true, weight: 2,
		params: lit(`{"roleName":"app-server"}`), errors: []string{"NoSuchEntityException"}},
	{source: "iam.amazonaws.com", name: "ListRoles", readOnly: true, global: true, weight: 1, params: lit(`null`)},
	{source: "iam.amazonaws.com", name: "ListAttachedRolePolicies", readOnly: true, global: true, weight: 1, params: lit(`{"roleName":"orders-api"}`)},
	{source: "kms.amazonaws.com", name: "Decrypt", readOnly: true, weight: 6,
		params: lit(`{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::app-assets"}}`)},
	{source: "kms.amazonaws.com", name: "GenerateDataKey", readOnly: true, weight: 4,
		params: func(rng *rand.Rand, a, r string) string {
			return fmt.Sprintf(`{"keyId":"arn:aws:kms:%s:%s:key/%s","keySpec":"AES_256"}`, r, a, uuidLike(rng))
		}},
	{source: "lambda.amazonaws.com", name: "GetFunction20150331v2", readOnly: true, weight: 1, params: lit(`{"functionName":"orders-handler"}`), errors: []string{"ResourceNotFoundException"}},
	{source: "lambda.amazonaws.com", name: "ListFunctions20150331", readOnly: true, weight: 1, params: lit(`null`)},
	{source: "lambda.amazonaws.com", name: "Invoke", data: true, weight: 3,
		params: func(rng *rand.Rand, a, r string) string {
			return fmt.Sprintf(`{"functionName":"arn:aws:lambda:%s:%s:function:orders-handler","invocationType":"RequestResponse"}`, r, a)
		}},
	{source: "dynamodb.amazonaws.com", name: "DescribeTable", readOnly: true, weight: 3, params: lit(`{"tableName":"orders"}`)},
	{source: "dynamodb.amazonaws.com", name: "ListTables", readOnly: true, weight: 1, params: lit(`null`)},
	{source: "monitoring.amazonaws.com", name: "GetMetricData", readOnly: true, weight: 4,
		params: lit(`{"metricDataQueries":[{"id":"m1","metricStat":{"metric":{"namespace":"AWS/EC2","metricName":"CPUUtilization"},"period":300,"stat":"Average"}}],"startTime":"Jan 15, 2026, 9:00:00 AM","endTime":"Jan 15, 2026, 10:00:00 AM"}`)},
	{source: "monitoring.amazonaws.com", name: "DescribeAlarms", readOnly: true, weight: 2, params: lit(`{"maxRecords":100}`), errors: []string{"ThrottlingException"}},
	{source: "logs.amazonaws.com", name: "DescribeLogGroups", readOnly: true, weight: 1, params: lit(`{"limit":50}`)},
	{source: "secretsmanager.amazonaws.com", name: "GetSecretValue", readOnly: true, weight: 1,
		params: lit(`{"secretId":"prod/orders/db"}`), errors: []string{"ResourceNotFoundException"}},
	{source: "ssm.amazonaws.com", name: "GetParameter", readOnly: true, weight: 1, params: lit(`{"name":"/prod/orders/feature-flags","withDecryption":false}`)},
	{source: "ecr.amazonaws.com", name: "GetAuthorizationToken", readOnly: true, weight: 1, params: lit(`null`)},
}

// serviceCalls are made by AWS services on the account's behalf: no type
// in some, invokedBy and a service name as the source address.
var serviceCalls = []struct {
	service, source, name string
	params                string
}{
	{"cloudtrail.amazonaws.com", "kms.amazonaws.com", "GenerateDataKey", `{"keySpec":"AES_256","encryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:ACCOUNT:trail/org-trail"}}`},
	{"s3.amazonaws.com", "kms.amazonaws.com", "Decrypt", `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::app-assets-ACCOUNT/data/x"}}`},
	{"lambda.amazonaws.com", "sts.amazonaws.com", "AssumeRole", `{"roleArn":"arn:aws:iam::ACCOUNT:role/orders-api","roleSessionName":"orders-handler"}`},
	{"ec2.amazonaws.com", "sts.amazonaws.com", "AssumeRole", `{"roleArn":"arn:aws:iam::ACCOUNT:role/app-server","roleSessionName":"i-0abc"}`},
	{"config.amazonaws.com", "ec2.amazonaws.com", "DescribeInstances", `{"instancesSet":{},"filterSet":{}}`},
	{"autoscaling.amazonaws.com", "ec2.amazonaws.com", "DescribeInstanceStatus", `{"instancesSet":{},"includeAllInstances":true}`},
}

var totalWeight = func() int {
	t := 0
	for _, c := range calls {
		t += c.weight
	}
	return t
}()

func lowerHex(rng *rand.Rand, n int) string {
	const alphabet = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(16)]
	}
	return string(b)
}

func uuidLike(rng *rand.Rand) string {
	return lowerHex(rng, 8) + "-" + lowerHex(rng, 4) + "-4" + lowerHex(rng, 3) + "-a" + lowerHex(rng, 3) + "-" + lowerHex(rng, 12)
}

// background returns one benign record at time at.
func (w *world) background(rng *rand.Rand, account, region string, at time.Time) ([]byte, error) {
	rec := record{
		EventVersion: "1.09", EventTime: at.UTC().Format(time.RFC3339), AWSRegion: region,
		RequestID: w.uuid(rng), EventID: w.uuid(rng), EventType: "AwsApiCall", ManagementEvent: true,
		RecipientAccountID: account, EventCategory: "Management",
	}
	p := rng.IntN(100)
	switch {
	case p < 12: // a service acting for the account
		sc := serviceCalls[rng.IntN(len(serviceCalls))]
		rec.UserIdentity = identity{Type: "AWSService", InvokedBy: sc.service}
		rec.EventSource, rec.EventName = sc.source, sc.name
		rec.SourceIPAddress, rec.UserAgent = sc.service, sc.service
		rec.RequestParameters = json.RawMessage(strings.ReplaceAll(sc.params, "ACCOUNT", account))
		rec.ResponseElements = json.RawMessage("null")
		rec.ReadOnly = true
		rec.SharedEventID = w.uuid(rng)
		rec.Resources = []resource{{AccountID: account, Type: "AWS::KMS::Key", ARN: fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, uuidLike(rng))}}
		return json.Marshal(rec)
	case p < 14 && region == Regions[0]: // a console sign-in, always with MFA
		a := w.actor(rng, account, at, 0)
		a.id.AccessKeyID = ""
		rec.UserIdentity = a.id
		rec.EventSource, rec.EventName, rec.EventType = "signin.amazonaws.com", "ConsoleLogin", "AwsConsoleSignIn"
		rec.SourceIPAddress = a.ip
		rec.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
		rec.RequestParameters = json.RawMessage("null")
		rec.ResponseElements = json.RawMessage(`{"ConsoleLogin":"Success"}`)
		rec.AdditionalEventData = json.RawMessage(`{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAIdentifier":"arn:aws:iam::` + account + `:mfa/` + a.id.UserName + `","MFAUsed":"Yes"}`)
		return json.Marshal(rec)
	}

	var c call
	for {
		n := rng.IntN(totalWeight)
		for _, cand := range calls {
			if n < cand.weight {
				c = cand
				break
			}
			n -= cand.weight
		}
		if !c.global || region == Regions[0] {
			break
		}
	}
	a := w.actor(rng, account, at, rng.IntN(3))
	rec.UserIdentity = a.id
	rec.EventSource, rec.EventName, rec.ReadOnly = c.source, c.name, c.readOnly
	rec.SourceIPAddress, rec.UserAgent = a.ip, a.agent
	if a.console {
		rec.SessionFromConsole = "true"
	}
	rec.RequestParameters = json.RawMessage("null")
	if c.params != nil {
		rec.RequestParameters = json.RawMessage(c.params(rng, account, region))
	}
	rec.ResponseElements = json.RawMessage("null")
	if c.response != nil {
		rec.ResponseElements = json.RawMessage(c.response(rng, account, region))
	}
	if c.data {
		rec.ManagementEvent, rec.EventCategory = false, "Data"
		if c.source == "s3.amazonaws.com" {
			rec.AdditionalEventData = json.RawMessage(fmt.Sprintf(`{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"bytesTransferredOut":%d,"x-amz-id-2":"%s"}`, rng.IntN(5<<20), lowerAlnum(rng, 40)))
		}
	}
	if len(c.errors) > 0 && rng.IntN(25) == 0 {
		rec.ErrorCode = c.errors[rng.IntN(len(c.errors))]
		rec.ErrorMessage = "The request failed: " + rec.ErrorCode
		rec.ResponseElements = json.RawMessage("null")
	}
	rec.TLSDetails = &tlsDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: strings.TrimSuffix(c.source, ".amazonaws.com") + "." + region + ".amazonaws.com"}
	return json.Marshal(rec)
}
