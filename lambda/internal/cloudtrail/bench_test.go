package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
)

// benchCorpus is a log file body of about 8 MB built from the fixtures with
// distinct event IDs, close to what CloudTrail writes for a busy account.
func benchCorpus(b *testing.B) (records [][]byte, size int) {
	b.Helper()
	fx := loadFixtures(b)
	for i := 0; size < 8<<20; i++ {
		f := fx[i%len(fx)].compact
		rec := bytes.Replace(f, []byte(`"eventID":"`), fmt.Appendf(nil, `"eventID":"%08d-`, i), 1)
		records = append(records, rec)
		size += len(rec) + 1
	}
	return records, size
}

func benchRead(b *testing.B, data []byte, plainSize int, wantRecords int) {
	b.SetBytes(int64(plainSize))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rd, err := NewReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != wantRecords {
			b.Fatalf("read %d records, want %d", n, wantRecords)
		}
	}
}

// BenchmarkReaderGzipRecords reads a gzip {"Records":[...]} file, the S3 path.
// MB/s are of decompressed JSON, comparable with BenchmarkGunzipOnly.
func BenchmarkReaderGzipRecords(b *testing.B) {
	recs, _ := benchCorpus(b)
	plain := envelope(recs...)
	benchRead(b, gz(b, plain), len(plain), len(recs))
}

// BenchmarkReaderPlainRecords isolates JSON work from decompression.
func BenchmarkReaderPlainRecords(b *testing.B) {
	recs, _ := benchCorpus(b)
	plain := envelope(recs...)
	benchRead(b, plain, len(plain), len(recs))
}

// BenchmarkReaderNDJSON reads one record per line.
func BenchmarkReaderNDJSON(b *testing.B) {
	recs, _ := benchCorpus(b)
	plain := ndjson(recs...)
	benchRead(b, plain, len(plain), len(recs))
}

// BenchmarkGunzipOnly is the floor: decompressing the same file and
// discarding it, as zcat does.
func BenchmarkGunzipOnly(b *testing.B) {
	recs, _ := benchCorpus(b)
	plain := envelope(recs...)
	data := gz(b, plain)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, zr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRecord is the per-record decode cost alone.
func BenchmarkParseRecord(b *testing.B) {
	rec := fixtureByName(b, "sg-ingress-open-ssh")
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseRecord(rec); err != nil {
			b.Fatal(err)
		}
	}
}
