package gen_test

import (
	"testing"

	"github.com/ctap-platform/ctap/lambda/internal/gen"
)

// BenchmarkGenerate measures how fast the generator writes an archive
// (uncompressed MB/s), which bounds how quickly `make bench` can build its
// corpus.
func BenchmarkGenerate(b *testing.B) {
	var bytes int64
	for i := 0; i < b.N; i++ {
		res, err := gen.Generate(gen.Options{Out: b.TempDir(), Accounts: 1, Days: 1, Scenario: "benign", Seed: uint64(i), SizeMB: 8})
		if err != nil {
			b.Fatal(err)
		}
		bytes = res.Bytes
	}
	b.SetBytes(bytes)
}
