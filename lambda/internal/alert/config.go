package alert

import (
	"log/slog"
	"time"

	"github.com/ctap-platform/ctap/lambda/internal/config"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// Config is alert-router's environment.
type Config struct {
	LogLevel        slog.Level
	FindingsTable   string        // FINDINGS_TABLE
	Topics          Topics        // TOPIC_CRITICAL_ARN, TOPIC_HIGH_ARN, TOPIC_MEDIUM_ARN
	AlertStateTable string        // ALERT_STATE_TABLE
	Window          time.Duration // SUPPRESSION_WINDOW_MINUTES (60)
}

// LoadConfig reads alert-router's variables; the error names every missing
// or malformed one.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		LogLevel:      env.LogLevel(),
		FindingsTable: env.String("FINDINGS_TABLE"),
		Topics: Topics{
			finding.Critical: env.ARN("TOPIC_CRITICAL_ARN"),
			finding.High:     env.ARN("TOPIC_HIGH_ARN"),
			finding.Medium:   env.ARN("TOPIC_MEDIUM_ARN"),
		},
		AlertStateTable: env.String("ALERT_STATE_TABLE"),
		// Up to a week: a longer window would silence a (rule, account) for
		// longer than anyone reads the last alert.
		Window: time.Duration(env.IntRange("SUPPRESSION_WINDOW_MINUTES", 60, 1, 7*24*60)) * time.Minute,
	}
	return c, env.Err()
}
