package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// benchCorpus is a log file body of about 8 MB built from the fixtures, with
// the values that differ between real records (IDs, times, addresses, keys)
// randomised so that it compresses like CloudTrail files do (about 10:1),
// not like copies of one record.
func benchCorpus(b *testing.B) (records [][]byte, size int) {
	b.Helper()
	fx := loadFixtures(b)
	rng := rand.New(rand.NewPCG(7, 11))
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", rng.Uint32(), rng.UintN(1<<16), rng.UintN(1<<12),
			0x8000|rng.UintN(1<<14), rng.Uint64()&(1<<48-1))
	}
	idRe := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	ipRe := regexp.MustCompile(`"\d+\.\d+\.\d+\.\d+"`)
	timeRe := regexp.MustCompile(`T\d\d:\d\d:\d\dZ`)
	keyRe := regexp.MustCompile(`(A[SK]IA|AIDA|AROA)[0-9A-Z]{16}`)
	for i := 0; size < 8<<20; i++ {
		rec := fx[i%len(fx)].compact
		rec = idRe.ReplaceAllFunc(rec, func([]byte) []byte { return []byte(uuid()) })
		rec = ipRe.ReplaceAllFunc(rec, func([]byte) []byte {
			return fmt.Appendf(nil, `"%d.%d.%d.%d"`, rng.UintN(223)+1, rng.UintN(256), rng.UintN(256), rng.UintN(256))
		})
		rec = timeRe.ReplaceAllFunc(rec, func([]byte) []byte {
			return fmt.Appendf(nil, "T%02d:%02d:%02dZ", rng.UintN(24), rng.UintN(60), rng.UintN(60))
		})
		rec = keyRe.ReplaceAllFunc(rec, func(k []byte) []byte {
			out := append([]byte{}, k[:4]...)
			for range 16 {
				out = append(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng.UintN(32)])
			}
			return out
		})
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
	data := gz(b, plain)
	benchRead(b, data, len(plain), len(recs))
	b.ReportMetric(float64(len(plain))/float64(len(data)), "gzip-ratio")
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

// BenchmarkGunzipStdlib is the floor with compress/gzip: decompressing the
// same file and discarding it, as zcat does.
func BenchmarkGunzipStdlib(b *testing.B) {
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

// BenchmarkGunzipKlauspost is the same with klauspost/compress/gzip, which
// the Reader uses because it is faster.
func BenchmarkGunzipKlauspost(b *testing.B) {
	recs, _ := benchCorpus(b)
	plain := envelope(recs...)
	data := gz(b, plain)
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		zr, err := kgzip.NewReader(bytes.NewReader(data))
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
