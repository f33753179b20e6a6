// Command webhook-receiver is the receiver scripts/bench delivers to: it
// answers 204 and writes, per request, the path, the webhook-id, the
// event's created_at and the arrival time (RFC 3339, nanoseconds) to -out.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	out := flag.String("out", "received.log", "where to write one line per request")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	var mu sync.Mutex
	go func() { // flush often: the bench reads the file while it runs
		for range time.Tick(50 * time.Millisecond) {
			mu.Lock()
			_ = w.Flush()
			mu.Unlock()
		}
	}()
	http.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		at := time.Now()
		body, _ := io.ReadAll(r.Body)
		var ev struct {
			CreatedAt time.Time `json:"created_at"`
		}
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		fmt.Fprintf(w, "%s %s %s %s\n", r.URL.Path, r.Header.Get("webhook-id"), ev.CreatedAt.Format(time.RFC3339Nano), at.UTC().Format(time.RFC3339Nano))
		mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
