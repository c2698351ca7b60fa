package config

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrNamesEveryMissingOrMalformedVariable(t *testing.T) {
	env := FromMap(map[string]string{
		"FINDINGS_TTL_DAYS":  "ninety",
		"ANOMALY_ZSCORE":     "NaN",
		"TOPIC_HIGH_ARN":     "not-an-arn",
		"SUPPRESSION_WINDOW": "5 minutes",
		"QUERY_IDS":          "[1,2]",
		"LOG_LEVEL":          "loud",
	})
	_ = env.String("FINDINGS_TABLE")
	_ = env.Int("FINDINGS_TTL_DAYS", 90)
	_ = env.Float("ANOMALY_ZSCORE", 3)
	_ = env.ARN("TOPIC_HIGH_ARN")
	_ = env.ARN("TOPIC_CRITICAL_ARN")
	_ = env.Duration("SUPPRESSION_WINDOW", time.Hour)
	_ = env.JSONMap("QUERY_IDS")
	_ = env.LogLevel()

	err := env.Err()
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvalid))
	var cfgErr *Error
	require.True(t, errors.As(err, &cfgErr))
	assert.Equal(t, []string{"FINDINGS_TABLE", "FINDINGS_TTL_DAYS", "ANOMALY_ZSCORE", "TOPIC_HIGH_ARN",
		"TOPIC_CRITICAL_ARN", "SUPPRESSION_WINDOW", "QUERY_IDS", "LOG_LEVEL"}, cfgErr.Names())
	for _, name := range cfgErr.Names() {
		assert.Contains(t, err.Error(), name)
	}
	assert.Contains(t, err.Error(), "8 problems")
	assert.Contains(t, err.Error(), `"ninety" is not an integer`)
}

func TestGettersReturnValuesAndDefaults(t *testing.T) {
	env := FromMap(map[string]string{
		"TABLE":   " findings ",
		"DAYS":    "30",
		"Z":       "2.5",
		"WAIT":    "90s",
		"REGIONS": "us-east-1, eu-west-1,,",
		"IDS":     `{"root_activity":"abc"}`,
		"TOPIC":   "arn:aws:sns:us-east-1:123456789012:alerts",
		"BUCKET":  "arn:aws:s3:::bucket",
		"BLANK":   "  ",
	})
	assert.Equal(t, "findings", env.String("TABLE"))
	assert.Equal(t, "fallback", env.StringOr("BLANK", "fallback"))
	assert.Equal(t, 30, env.Int("DAYS", 90))
	assert.Equal(t, 7, env.Int("UNSET", 7))
	assert.Equal(t, 2.5, env.Float("Z", 3))
	assert.Equal(t, 90*time.Second, env.Duration("WAIT", time.Minute))
	assert.Equal(t, []string{"us-east-1", "eu-west-1"}, env.List("REGIONS"))
	assert.Nil(t, env.List("UNSET"))
	assert.Equal(t, map[string]string{"root_activity": "abc"}, env.JSONMap("IDS"))
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:alerts", env.ARN("TOPIC"))
	assert.Equal(t, "arn:aws:s3:::bucket", env.ARN("BUCKET"))
	assert.Equal(t, slog.LevelInfo, env.LogLevel())
	assert.NoError(t, env.Err())
}

func TestIntRangeRejectsOutOfRange(t *testing.T) {
	env := FromMap(map[string]string{"FINDINGS_TTL_DAYS": "0", "FINDINGS_TABLE": "t"})
	f := env.Findings()
	assert.Equal(t, 90*24*time.Hour, f.Retention, "falls back to the default")
	require.Error(t, env.Err())
	assert.Contains(t, env.Err().Error(), "FINDINGS_TTL_DAYS: 0 is outside [1, 3650]")
}

func TestOneOfRejectsUnknownValue(t *testing.T) {
	env := FromMap(map[string]string{"MODE": "fast"})
	assert.Equal(t, "slow", env.OneOf("MODE", "slow", "slow", "safe"))
	assert.EqualError(t, env.Err(), `invalid environment (1 problem): MODE: "fast" is not one of slow, safe`)
}
