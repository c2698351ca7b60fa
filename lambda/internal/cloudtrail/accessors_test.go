package cloudtrail

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each DESIGN §4 event shape, read from a hand-written record, with what the
// rules will ask of it.
func TestEventShapes(t *testing.T) {
	type want struct {
		base          string
		principal     string
		account       string
		root          bool
		rootActivity  bool
		mfaUsed       bool
		sessionMFA    bool
		accessDenied  bool
		consoleLogin  string
		paramsNull    bool
		responseNull  bool
		identityTyped bool
	}
	tests := []struct {
		fixture string
		want    want
	}{
		{"console-login-no-mfa", want{base: "ConsoleLogin", principal: "arn:aws:iam::111122223333:user/dana.ops", account: "111122223333",
			consoleLogin: "Success", paramsNull: true, identityTyped: true}},
		{"root-console-login-failure", want{base: "ConsoleLogin", principal: "arn:aws:iam::111122223333:root", account: "111122223333",
			root: true, rootActivity: true, mfaUsed: true, consoleLogin: "Failure", paramsNull: true, identityTyped: true}},
		{"lambda-update-function-code", want{base: "UpdateFunctionCode", principal: "arn:aws:sts::444455556666:assumed-role/ci-deployer/ci-deploy-7731",
			account: "444455556666", identityTyped: true}},
		{"kms-service-event", want{base: "RotateKey", principal: "kms.amazonaws.com", account: "444455556666",
			paramsNull: true, responseNull: true}},
		{"ec2-unauthorized-operation", want{base: "RunInstances", principal: "arn:aws:sts::444455556666:assumed-role/web-tier/i-0a1b2c3d4e5f67890",
			account: "444455556666", accessDenied: true, responseNull: true, identityTyped: true}},
		{"s3-get-object-access-denied", want{base: "GetObject", principal: "arn:aws:iam::111122223333:user/etl-reader", account: "111122223333",
			accessDenied: true, responseNull: true, identityTyped: true}},
		{"root-create-access-key", want{base: "CreateAccessKey", principal: "arn:aws:iam::111122223333:root", account: "111122223333",
			root: true, rootActivity: true, sessionMFA: true, identityTyped: true}},
		{"sg-ingress-open-ssh", want{base: "AuthorizeSecurityGroupIngress", account: "444455556666", sessionMFA: true, identityTyped: true,
			principal: "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_PowerUser_0123456789abcdef/mallory"}},
		{"kms-disable-key-denied", want{base: "DisableKey", principal: "arn:aws:sts::444455556666:assumed-role/build-runner/build-42",
			account: "444455556666", accessDenied: true, responseNull: true, identityTyped: true}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			ev, err := ParseRecord(fixtureByName(t, tc.fixture))
			require.NoError(t, err)
			got := want{
				base:          ev.BaseEventName(),
				principal:     ev.PrincipalARN(),
				account:       ev.AccountID(),
				root:          ev.IsRoot(),
				rootActivity:  ev.IsRootActivity(),
				mfaUsed:       ev.MFAUsed(),
				sessionMFA:    ev.SessionMFA(),
				accessDenied:  ev.IsAccessDenied(),
				consoleLogin:  ev.ConsoleLoginResult(),
				paramsNull:    string(ev.RequestParameters) == "null",
				responseNull:  string(ev.ResponseElements) == "null",
				identityTyped: ev.UserIdentity.Type != "",
			}
			assert.Equal(t, tc.want, got)
			assert.False(t, ev.Time().IsZero(), "eventTime parses")
			assert.NotEmpty(t, ev.EventID)
		})
	}
}

func TestNullAndOddParametersAreTolerated(t *testing.T) {
	for _, raw := range []string{``, `null`, ` null `, `"a string"`, `42`, `[]`, `{}`, `{"broken":`, `true`} {
		ev := &Event{RequestParameters: json.RawMessage(raw), ResponseElements: json.RawMessage(raw), AdditionalEventData: json.RawMessage(raw)}
		v, ok := ev.Param("bucketName")
		assert.False(t, ok, "%q", raw)
		assert.Nil(t, v)
		assert.Empty(t, ev.ParamString("a", "b"))
		assert.Empty(t, ev.ConsoleLoginResult())
		assert.False(t, ev.MFAUsed())
		_, ok = ev.Response("x")
		assert.False(t, ok)
	}
}

func TestLookup(t *testing.T) {
	raw := json.RawMessage(`{"bucketName":"logs","n":3.5,"ok":true,"no":false,"nil":null,"esc":"a\"b\u00e9",` +
		`"ip\u0050ermissions":{"items":[{"fromPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}},{"fromPort":443}]},"empty":{}}`)
	tests := []struct {
		name   string
		path   []string
		want   any
		wantOK bool
	}{
		{"string", []string{"bucketName"}, "logs", true},
		{"number", []string{"n"}, 3.5, true},
		{"true", []string{"ok"}, true, true},
		{"false", []string{"no"}, false, true},
		{"explicit null is found", []string{"nil"}, nil, true},
		{"escaped string is unescaped", []string{"esc"}, "a\"bé", true},
		{"escaped key matches", []string{"ipPermissions", "items", "0", "fromPort"}, 22.0, true},
		{"array index and nesting", []string{"ipPermissions", "items", "0", "ipRanges", "items", "0", "cidrIp"}, "0.0.0.0/0", true},
		{"second element", []string{"ipPermissions", "items", "1", "fromPort"}, 443.0, true},
		{"index out of range", []string{"ipPermissions", "items", "2"}, nil, false},
		{"non-numeric index", []string{"ipPermissions", "items", "x"}, nil, false},
		{"key through a scalar", []string{"bucketName", "x"}, nil, false},
		{"missing key", []string{"nope"}, nil, false},
		{"empty object", []string{"empty", "a"}, nil, false},
		{"object value is decoded", []string{"ipPermissions", "items", "1"}, map[string]any{"fromPort": 443.0}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Lookup(raw, tc.path...)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, got)
		})
	}
	whole, ok := LookupRaw(raw)
	require.True(t, ok)
	assert.Equal(t, string(raw), string(whole))
}

func TestLookupOneKeyAllocatesOnlyTheResult(t *testing.T) {
	ev, err := ParseRecord(fixtureByName(t, "sg-ingress-open-ssh"))
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ev.ParamRaw("ipPermissions", "items", "0", "ipRanges", "items", "0", "cidrIp")
		_ = ev.SessionMFA()
		_ = ev.MFAUsed()
		_ = ev.IsAccessDenied()
		_ = ev.BaseEventName()
	})
	assert.Zero(t, allocs)
}

func TestBaseEventName(t *testing.T) {
	tests := map[string]string{
		"UpdateFunctionCode20150331v2":          "UpdateFunctionCode",
		"UpdateFunctionConfiguration20150331v2": "UpdateFunctionConfiguration",
		"AddPermission20150331v2":               "AddPermission",
		"CreateFunction20150331":                "CreateFunction",
		"PublishLayerVersion20181031":           "PublishLayerVersion",
		"AddLayerVersionPermission20181031":     "AddLayerVersionPermission",
		"GetFunction20150331v2":                 "GetFunction",
		"ConsoleLogin":                          "ConsoleLogin",
		"PutObject":                             "PutObject",
		"CreateDBSnapshot":                      "CreateDBSnapshot",
		"v2":                                    "v2",
		"20150331":                              "20150331",
		"ListBuckets12345678":                   "ListBuckets12345678", // not an API date
		"":                                      "",
	}
	for in, want := range tests {
		assert.Equal(t, want, (&Event{EventName: in}).BaseEventName(), in)
	}
}

func TestIsAccessDeniedCode(t *testing.T) {
	denied := []string{"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedOperation",
		"UnauthorizedAccess", "Forbidden", "ForbiddenException", "UnauthorizedException", "AuthorizationError",
		"KMS.AccessDeniedException", "S3AccessDenied"}
	other := []string{"", "NoSuchBucket", "ThrottlingException", "Client.InvalidParameterValue", "ResourceNotFoundException",
		"ValidationException", "InvalidClientTokenId", "ExpiredToken"}
	for _, c := range denied {
		assert.True(t, IsAccessDeniedCode(c), c)
	}
	for _, c := range other {
		assert.False(t, IsAccessDeniedCode(c), c)
	}
}
