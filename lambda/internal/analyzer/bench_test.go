package analyzer

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkHandleCloudWatchLogs measures a full subscription batch: base64,
// gunzip, decode, detect and store (in memory), in uncompressed CloudTrail
// record bytes per second (the compressed payload of repetitive records is
// tiny and would flatter nothing).
func BenchmarkHandleCloudWatchLogs(b *testing.B) {
	t := &testing.T{}
	msgs := make([]string, 500)
	for i := range msgs {
		// Distinct event IDs so that every record yields new findings.
		msgs[i] = strings.Replace(stopLogging, "0b7c5e4c-1111-4222-8333-444455556666", fmt.Sprintf("0b7c5e4c-1111-4222-8333-%012d", i), 1)
	}
	payload := cloudWatchLogs(t, msgs...)
	a := newAnalyzer(&memWriter{})
	var n int
	for _, m := range msgs {
		n += len(m)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.Handle(context.Background(), payload); err != nil {
			b.Fatal(err)
		}
	}
}
