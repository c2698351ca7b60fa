package detect

import (
	"testing"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
)

// FuzzProcess feeds arbitrary records to the whole catalogue: whatever
// parses must process without panicking, and every finding must carry an ID
// and its rule. Seeds are every rule's examples.
func FuzzProcess(f *testing.F) {
	for _, r := range Catalogue() {
		f.Add([]byte(r.Examples.Positive))
		f.Add([]byte(r.Examples.Negative))
	}
	f.Add([]byte(`{"requestParameters":null,"userIdentity":{}}`))
	f.Add([]byte(`{"eventName":"UpdateFunctionCode20150331v2","eventSource":"lambda.amazonaws.com","requestParameters":[[[[]]]]}`))
	e := NewEngine(Catalogue(), Options{Now: fixedNow, MaxWindows: 64})
	s := e.NewSession()
	f.Fuzz(func(t *testing.T, record []byte) {
		ev, err := cloudtrail.ParseRecord(record)
		if err != nil {
			return
		}
		for _, fd := range s.Process(ev) {
			if fd.FindingID == "" || fd.RuleID == "" || fd.Summary == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}
