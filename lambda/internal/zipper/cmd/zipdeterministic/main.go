// Command zipdeterministic packs one executable as "bootstrap" into a
// reproducible Lambda zip and prints the zip's base64 SHA-256 (what
// Terraform's filebase64sha256 computes).
//
//	go run ./lambda/internal/zipper/cmd/zipdeterministic BINARY OUT.zip
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/ctap-platform/ctap/lambda/internal/zipper"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: zipdeterministic BINARY OUT.zip")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "zipdeterministic:", err)
		os.Exit(1)
	}
}

func run(binary, out string) error {
	data, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := zipper.Write(&buf, []zipper.File{{Name: "bootstrap", Data: data, Mode: 0o755}}); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Println(zipper.Base64SHA256(buf.Bytes()))
	return nil
}
