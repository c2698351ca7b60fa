package alert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

func TestLoadConfigNamesEveryMissingOrMalformedVariable(t *testing.T) {
	_, err := LoadConfig(config.FromMap(map[string]string{
		"TOPIC_HIGH_ARN":             "not-an-arn",
		"SUPPRESSION_WINDOW_MINUTES": "0",
	}))
	require.Error(t, err)
	var cerr *config.Error
	require.ErrorAs(t, err, &cerr)
	assert.ElementsMatch(t, []string{"FINDINGS_TABLE", "TOPIC_CRITICAL_ARN", "TOPIC_HIGH_ARN", "TOPIC_MEDIUM_ARN", "ALERT_STATE_TABLE", "SUPPRESSION_WINDOW_MINUTES"}, cerr.Names())
}

func TestLoadConfigReadsEveryVariable(t *testing.T) {
	c, err := LoadConfig(config.FromMap(map[string]string{
		"FINDINGS_TABLE":     "ctap-findings-test",
		"TOPIC_CRITICAL_ARN": "arn:aws:sns:us-east-1:111122223333:ctap-critical-test",
		"TOPIC_HIGH_ARN":     "arn:aws:sns:us-east-1:111122223333:ctap-high-test",
		"TOPIC_MEDIUM_ARN":   "arn:aws:sns:us-east-1:111122223333:ctap-medium-test",
		"ALERT_STATE_TABLE":  "ctap-alert-state-test",
	}))
	require.NoError(t, err)
	assert.Equal(t, time.Hour, c.Window)
	assert.Equal(t, "arn:aws:sns:us-east-1:111122223333:ctap-high-test", c.Topics[finding.High])
	assert.Equal(t, "ctap-alert-state-test", c.AlertStateTable)
}
