// Command realtime-bench measures the events stream's fan-out, as
// scripts/bench runs it: it opens -subscribers server-sent event streams
// (GET /events/stream?type=ticket.created) with one key, reads the
// server's RSS (-pid) before and after they connect, then creates tickets
// at -rate per second for -seconds and reports, per event, the time from
// sending its create to its arrival at the last subscriber (p50, p99, max).
// Creates go one at a time, so the k-th event after the start is the k-th
// create's.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("base", "", "the API base URL, e.g. http://127.0.0.1:8080/api/sandbox")
	key := flag.String("key", "", "an integration key of that base")
	requester := flag.String("requester", "", "requester_id of the created tickets")
	subscribers := flag.Int("subscribers", 1000, "concurrent streams")
	rate := flag.Int("rate", 50, "events per second")
	seconds := flag.Int("seconds", 10, "how long to create events")
	pid := flag.Int("pid", 0, "the server's process id, for its RSS")
	flag.Parse()
	if *base == "" || *key == "" {
		log.Fatal("-base and -key are required")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 0}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	start := latestSequence(client, *base, *key)
	total := *rate * *seconds
	sent := make([]time.Time, total)
	var arrived sync.Map // sequence -> *counter
	type counter struct {
		n    atomic.Int64
		last atomic.Int64 // unix nanos of the latest arrival
	}
	rss0 := rss(*pid)
	var connected, failed atomic.Int64
	var wg sync.WaitGroup
	for range *subscribers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *base+"/events/stream?type=ticket.created", nil)
			req.Header.Set("X-API-Key", *key)
			res, err := client.Do(req)
			if err != nil || res.StatusCode != http.StatusOK {
				failed.Add(1)
				return
			}
			defer res.Body.Close()
			connected.Add(1)
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				id, ok := strings.CutPrefix(sc.Text(), "id: ")
				if !ok {
					continue
				}
				seq, _ := strconv.ParseInt(id, 10, 64)
				now := time.Now().UnixNano()
				c, _ := arrived.LoadOrStore(seq, &counter{})
				c.(*counter).n.Add(1)
				for old := c.(*counter).last.Load(); now > old && !c.(*counter).last.CompareAndSwap(old, now); old = c.(*counter).last.Load() {
				}
			}
		}()
	}
	for connected.Load()+failed.Load() < int64(*subscribers) {
		time.Sleep(20 * time.Millisecond)
	}
	if failed.Load() > 0 {
		log.Fatalf("%d of %d streams were refused", failed.Load(), *subscribers)
	}
	time.Sleep(500 * time.Millisecond)
	rss1 := rss(*pid)

	body := func(i int) []byte {
		b, _ := json.Marshal(map[string]any{"title": fmt.Sprint("realtime bench ", i), "requester_id": *requester})
		return b
	}
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	for i := range total {
		<-tick.C
		sent[i] = time.Now()
		req, _ := http.NewRequest(http.MethodPost, *base+"/tickets", bytes.NewReader(body(i)))
		req.Header.Set("X-API-Key", *key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			log.Fatalf("create %d: %v %v", i, err, res)
		}
		res.Body.Close()
	}
	tick.Stop()
	deadline := time.Now().Add(10 * time.Second)
	var lat []float64
	missing := 0
	for time.Now().Before(deadline) {
		lat, missing = lat[:0], 0
		for i := range total {
			c, ok := arrived.Load(start + int64(i) + 1)
			if !ok || c.(*counter).n.Load() < int64(*subscribers) {
				missing++
				continue
			}
			lat = append(lat, float64(c.(*counter).last.Load()-sent[i].UnixNano())/1e6)
		}
		if missing == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	rss2 := rss(*pid)
	cancel()
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("realtime fan-out: %d subscribers, %d events at %d/s: send-to-last-subscriber p50 %.0f ms, p99 %.0f ms, max %.0f ms",
		*subscribers, total, *rate, pct(0.5), pct(0.99), pct(1))
	if missing > 0 {
		fmt.Printf(" (INVALID: %d events did not reach every subscriber)", missing)
	}
	fmt.Println()
	if *pid > 0 {
		fmt.Printf("realtime memory: server RSS %d MiB idle, %d MiB with %d streams (%.1f KiB per subscriber), %d MiB after the run\n",
			rss0>>10, rss1>>10, *subscribers, float64(rss1-rss0)/float64(*subscribers), rss2>>10)
	}
}

// latestSequence is the environment's newest event's sequence (0 when none).
func latestSequence(client *http.Client, base, key string) int64 {
	req, _ := http.NewRequest(http.MethodGet, base+"/events?order=desc&limit=1", nil)
	req.Header.Set("X-API-Key", key)
	res, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Data []struct {
			Sequence int64 `json:"sequence"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		log.Fatal(err)
	}
	if len(page.Data) == 0 {
		return 0
	}
	return page.Data[0].Sequence
}

// rss is the process's resident set in KiB (0 without a pid).
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}
