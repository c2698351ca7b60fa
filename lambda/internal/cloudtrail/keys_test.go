package cloudtrail

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClassifyKey(t *testing.T) {
	tests := []struct {
		key  string
		want KeyKind
	}{
		{"AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0005Z_AbCdEf123.json.gz", KindEvent},
		{"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T0005Z_x.json.gz", KindEvent},
		{"trail-prefix/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/file.json", KindEvent},
		{"AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/111122223333_CloudTrail-Digest_us-east-1_t_20261120T010000Z.json.gz", KindDigest},
		{"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/20/111122223333_CloudTrail-Insight_us-east-1_x.json.gz", KindInsight},
		{"AWSLogs/111122223333/CloudTrail/", KindOther},                                    // the folder marker
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/notes.txt", KindOther},      // not JSON
		{"AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/20/f.log.gz", KindOther},      // another service
		{"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/20/x.json", KindDigest}, // digest even if .json
		{"reports/compliance/2026/11/20/report.json", KindOther},
		{"CloudTrail.json.gz", KindOther}, // the word in a file name is not a directory
		{"", KindOther},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ClassifyKey(tc.key), tc.key)
	}
	assert.Equal(t, "event", KindEvent.String())
	assert.Equal(t, "digest", KindDigest.String())
	assert.Equal(t, "insight", KindInsight.String())
	assert.Equal(t, "other", KindOther.String())
}

func TestParseKey(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		key    string
		want   KeyInfo
		wantOK bool
	}{
		{"organization trail", "AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/20/f.json.gz",
			KeyInfo{OrgID: "o-a1b2c3d4e5", AccountID: "111122223333", Kind: KindEvent, Region: "us-east-1", Date: day, File: "f.json.gz"}, true},
		{"management account's own path", "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/f.json.gz",
			KeyInfo{AccountID: "111122223333", Kind: KindEvent, Region: "eu-west-1", Date: day, File: "f.json.gz"}, true},
		{"with a trail prefix", "org/trail/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail-Digest/ap-south-1/2026/11/20/d.json.gz",
			KeyInfo{Prefix: "org/trail", OrgID: "o-a1b2c3d4e5", AccountID: "444455556666", Kind: KindDigest, Region: "ap-south-1", Date: day, File: "d.json.gz"}, true},
		{"insight", "AWSLogs/444455556666/CloudTrail-Insight/us-east-1/2026/11/20/i.json.gz",
			KeyInfo{AccountID: "444455556666", Kind: KindInsight, Region: "us-east-1", Date: day, File: "i.json.gz"}, true},
		{"account id too short", "AWSLogs/11112222333/CloudTrail/us-east-1/2026/11/20/f.json.gz", KeyInfo{}, false},
		{"bad date", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/13/40/f.json.gz", KeyInfo{}, false},
		{"missing day", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/f.json.gz", KeyInfo{}, false},
		{"no file name", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/", KeyInfo{}, false},
		{"other service", "AWSLogs/111122223333/elasticloadbalancing/us-east-1/2026/11/20/f.log.gz", KeyInfo{}, false},
		{"no AWSLogs", "logs/111122223333/CloudTrail/us-east-1/2026/11/20/f.json.gz", KeyInfo{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseKey(tc.key)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}
