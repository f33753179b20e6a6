//go:build ignore

// Runs from the module root (see generate.go): gqlgen's generate, as its
// command runs it, then one change to what it wrote. gqlgen marshals every
// list of objects with graphql.MarshalSliceConcurrently, a goroutine per
// element, and has no setting to turn that off; the generated calls are
// pointed at marshalSlice (slices.go), which takes the same arguments and
// marshals the elements in turn.
package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	// gqlgen logs every resolver it could not bind; its command discards
	// that unless asked (-v), and so does this.
	log.SetOutput(io.Discard)
	fail := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...); os.Exit(1) }
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		fail("loading gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg); err != nil {
		fail("gqlgen: %v", err)
	}
	file := cfg.Exec.Filename
	src, err := os.ReadFile(file)
	if err != nil {
		fail("%v", err)
	}
	from, to := []byte("graphql.MarshalSliceConcurrently("), []byte("marshalSlice(")
	// None found means gqlgen changed what it writes: say so rather than
	// silently keep a goroutine per element.
	if !bytes.Contains(src, from) {
		fail("%s: no graphql.MarshalSliceConcurrently call to replace; check graph/slices.go against this gqlgen", file)
	}
	if err := os.WriteFile(file, bytes.ReplaceAll(src, from, to), 0o644); err != nil {
		fail("%v", err)
	}
}
