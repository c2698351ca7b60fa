package replay_test

import (
	"context"
	"testing"

	"github.com/ctap-platform/ctap/lambda/internal/gen"
	"github.com/ctap-platform/ctap/lambda/internal/replay"
)

// BenchmarkRun replays a generated archive (every rule planted in benign
// traffic) with every rule; MB/s is of uncompressed JSON.
func BenchmarkRun(b *testing.B) {
	dir := b.TempDir()
	res, err := gen.Generate(gen.Options{Out: dir, Accounts: 2, Days: 1, Scenario: "all", Seed: 1, SizeMB: 16})
	if err != nil {
		b.Fatal(err)
	}
	sources, _, problems := replay.Expand(context.Background(), []string{dir}, nil)
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	b.SetBytes(res.Bytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := replay.Run(context.Background(), sources, replay.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if out.Records != res.Records {
			b.Fatalf("read %d records, generated %d", out.Records, res.Records)
		}
	}
}
