package zipper_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctap-platform/ctap/lambda/internal/zipper"
)

func build(t *testing.T, files []zipper.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, zipper.Write(&buf, files))
	return buf.Bytes()
}

func TestWriteIsByteIdenticalAcrossRunsTimeZonesAndInputOrder(t *testing.T) {
	a := build(t, []zipper.File{{Name: "bootstrap", Data: []byte("binary"), Mode: 0o755}, {Name: "README", Data: []byte("x"), Mode: 0o644}})
	orig := time.Local
	time.Local = time.FixedZone("UTC+5", 5*3600)
	defer func() { time.Local = orig }()
	b := build(t, []zipper.File{{Name: "README", Data: []byte("x"), Mode: 0o644}, {Name: "bootstrap", Data: []byte("binary"), Mode: 0o755}})
	assert.Equal(t, a, b)
	assert.Equal(t, zipper.Base64SHA256(a), zipper.Base64SHA256(b))

	c := build(t, []zipper.File{{Name: "bootstrap", Data: []byte("binary2"), Mode: 0o755}, {Name: "README", Data: []byte("x"), Mode: 0o644}})
	assert.NotEqual(t, zipper.Base64SHA256(a), zipper.Base64SHA256(c), "the hash follows the content")
}

func TestWriteSetsExecutableModeAndFixedTime(t *testing.T) {
	data := build(t, []zipper.File{{Name: "bootstrap", Data: []byte("#!/bin/sh\n"), Mode: 0o755}})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1)
	f := zr.File[0]
	assert.Equal(t, "bootstrap", f.Name)
	assert.Equal(t, os.FileMode(0o755), f.Mode().Perm())
	assert.True(t, f.Modified.Equal(zipper.Epoch), "modified %v", f.Modified)
	rc, err := f.Open()
	require.NoError(t, err)
	got, _ := io.ReadAll(rc)
	assert.Equal(t, "#!/bin/sh\n", string(got))
}

func TestBase64SHA256MatchesTerraformFormat(t *testing.T) {
	// filebase64sha256 of an empty file.
	assert.Equal(t, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", zipper.Base64SHA256(nil))
}
