// Package zipper writes Lambda deployment zips whose bytes depend only on the
// files' contents: fixed timestamps, fixed modes, fixed order. Terraform's
// filebase64sha256 then changes only when the code does, so an unchanged
// function is never redeployed.
package zipper

import (
	"archive/zip"
	"compress/flate"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// Epoch is the timestamp of every entry. 1980-01-01 is the earliest time
// the zip format can express; it is in UTC so that the build machine's time
// zone does not leak into the MS-DOS and extended timestamp fields.
var Epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// File is one entry: its name in the archive and its contents.
type File struct {
	Name string
	Data []byte
	Mode os.FileMode // 0755 for executables such as bootstrap
}

// Write writes files to w as a zip, sorted by name, each with Epoch as its
// modification time and its Mode, compressed with deflate at the best level.
func Write(w io.Writer, files []File) error {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, f := range sorted {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: Epoch}
		h.SetMode(f.Mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("zip entry %s: %w", f.Name, err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return fmt.Errorf("zip entry %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("close zip: %w", err)
	}
	return nil
}

// Base64SHA256 is what Terraform's filebase64sha256 returns for data.
func Base64SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}
