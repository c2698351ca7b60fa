// Command tfstub is ctap's plan-only stand-in for the hashicorp/aws and hashicorp/random
// Terraform providers: it serves their real schemas so that Terraform itself validates and
// plans our modules offline, and it refuses to apply. See README.md.
//
// One binary serves both providers: installed as terraform-provider-random* it is
// hashicorp/random, otherwise hashicorp/aws (CTAP_TFSTUB_PROVIDER=aws|random overrides).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctap-platform/ctap/test/tfstub/internal/provider"
	"github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
)

func main() {
	version := flag.Bool("version", false, "print what this binary is and exit")
	flag.Parse()

	prov, err := choose()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tfstub:", err)
		os.Exit(2)
	}
	if *version {
		fmt.Printf("%s %s: ctap plan-only stand-in (never calls AWS; apply always fails)\n", prov.Source, prov.Version)
		if prov.Name == "aws" {
			fmt.Printf("schemas: hashicorp/aws v%s, adjusted to v6 (per-resource region argument and the upgrade guide's deltas)\n", schema.UpstreamAWSVersion)
		} else {
			fmt.Println("schemas: hashicorp/random random_string (schema version 2)")
		}
		return
	}
	opts := provider.Options{CacheDir: cacheDir(), CacheKey: cacheKey()}
	err = tf5server.Serve(prov.Source, func() tfprotov5.ProviderServer { return provider.New(prov, opts) })
	if err != nil {
		fmt.Fprintln(os.Stderr, "tfstub:", err)
		os.Exit(1)
	}
}

func choose() (*schema.Provider, error) {
	name := os.Getenv("CTAP_TFSTUB_PROVIDER")
	if name == "" {
		name = "aws"
		if strings.HasPrefix(filepath.Base(os.Args[0]), "terraform-provider-random") {
			name = "random"
		}
	}
	switch name {
	case "aws":
		return schema.AWS(), nil
	case "random":
		return schema.Random(), nil
	}
	return nil, fmt.Errorf("CTAP_TFSTUB_PROVIDER=%q: want aws or random", name)
}

// cacheDir is where the compact schema cache lives: CTAP_TFSTUB_CACHE_DIR, else the
// user cache directory; empty (no cache) when neither is usable.
func cacheDir() string {
	if d := os.Getenv("CTAP_TFSTUB_CACHE_DIR"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "ctap-tfstub")
}

// cacheKey changes whenever the binary is rebuilt, so a cache never outlives its code.
func cacheKey() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%d-%d", fi.Size(), fi.ModTime().UnixNano())
}
