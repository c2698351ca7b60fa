// Package replay runs CloudTrail log files (local paths or an S3 archive)
// through the detection engine, for `ctap replay` and `ctap demo`. Files are
// read in parallel but fed to one detection session in a fixed order, so a
// replay gives the same findings, aggregate ones included, on every run.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
)

// Source is one file to replay.
type Source struct {
	Name string // path or s3://bucket/key, for messages
	Size int64  // bytes as stored (compressed), for progress
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// PathError says why a path named on the command line gave nothing to read.
type PathError struct {
	Path string
	Err  error
}

// Error implements error.
func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *PathError) Unwrap() error { return e.Err }

// S3API is the part of the S3 client that listing and reading need.
type S3API interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Expand turns command-line paths into sources, sorted by name: a file is
// read as given; a directory is walked for *.json, *.json.gz and *.gz files;
// s3://bucket/prefix lists the prefix. Digest and Insights files are skipped
// by key, everywhere. Paths that cannot be read are returned as
// *PathError values, and the rest are still expanded. newS3 is called at
// most once, only when an s3:// path is given.
func Expand(ctx context.Context, paths []string, newS3 func(context.Context) (S3API, error)) (sources []Source, skipped int, problems []error) {
	var client S3API
	seen := map[string]bool{}
	add := func(s Source) {
		if !seen[s.Name] {
			seen[s.Name] = true
			sources = append(sources, s)
		}
	}
	for _, p := range paths {
		if strings.HasPrefix(p, "s3://") {
			if client == nil {
				c, err := newS3(ctx)
				if err != nil {
					problems = append(problems, &PathError{Path: p, Err: fmt.Errorf("S3 client: %w", err)})
					continue
				}
				client = c
			}
			n, err := listS3(ctx, client, p, add)
			skipped += n
			if err != nil {
				problems = append(problems, &PathError{Path: p, Err: err})
			}
			continue
		}
		n, err := walkLocal(p, add)
		skipped += n
		if err != nil {
			problems = append(problems, &PathError{Path: p, Err: err})
		}
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].Name < sources[j].Name })
	return sources, skipped, problems
}

// logFile reports whether a file name looks like a log file worth reading
// when found inside a directory or prefix.
func logFile(name string) bool {
	return strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".gz")
}

// notEvents reports whether a key is a digest or Insights file.
func notEvents(key string) bool {
	k := cloudtrail.ClassifyKey(key)
	return k == cloudtrail.KindDigest || k == cloudtrail.KindInsight
}

func localSource(path string, size int64) Source {
	return Source{Name: path, Size: size, Open: func(context.Context) (io.ReadCloser, error) { return os.Open(path) }}
}

func walkLocal(root string, add func(Source)) (skipped int, err error) {
	info, err := os.Stat(root)
	if err != nil {
		return 0, err
	}
	if !info.IsDir() {
		if notEvents(filepath.ToSlash(root)) {
			return 1, nil
		}
		add(localSource(root, info.Size()))
		return 0, nil
	}
	found := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !logFile(d.Name()) {
			return nil
		}
		if notEvents(filepath.ToSlash(p)) {
			skipped++
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		found++
		add(localSource(p, fi.Size()))
		return nil
	})
	if err == nil && found == 0 && skipped == 0 {
		err = errors.New("no *.json or *.json.gz files in this directory")
	}
	return skipped, err
}

func listS3(ctx context.Context, client S3API, uri string, add func(Source)) (skipped int, err error) {
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	if bucket == "" {
		return 0, errors.New("no bucket in S3 URI (want s3://bucket/prefix)")
	}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	found := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return skipped, fmt.Errorf("list: %w", err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if !logFile(key) {
				continue
			}
			if notEvents(key) {
				skipped++
				continue
			}
			found++
			add(Source{
				Name: "s3://" + bucket + "/" + key,
				Size: aws.ToInt64(obj.Size),
				Open: func(ctx context.Context) (io.ReadCloser, error) {
					out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
					if err != nil {
						return nil, err
					}
					return out.Body, nil
				},
			})
		}
	}
	if found == 0 && skipped == 0 {
		return 0, errors.New("no log files under this prefix")
	}
	return skipped, nil
}
