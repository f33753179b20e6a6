package edge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Listener makes the answers net/http gives requests it cannot parse (a
// header holding a control character, a malformed request line, headers
// too large) JSON error bodies like every other 4xx, instead of its bare
// text/plain. Those requests never reach a handler: the server writes the
// answer straight to the connection, in one write, and closes it. For
// plain-HTTP listeners only: a TLS server must see its *tls.Conn.
func Listener(ln net.Listener) net.Listener { return jsonErrorListener{ln} }

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return jsonErrorConn{c}, nil
}

type jsonErrorConn struct{ net.Conn }

// stdlibErrorHeaders follow the status line of net/http's own error
// answers and of no other: a handler's answer has its headers sorted
// (Connection before Content-Type) and a Date.
const stdlibErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c jsonErrorConn) Write(b []byte) (int, error) {
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 4")) {
		return c.Conn.Write(b)
	}
	line, rest, ok := bytes.Cut(b, []byte("\r\n"))
	if !ok || !bytes.HasPrefix(rest, []byte(stdlibErrorHeaders[len("\r\n"):])) {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(jsonErrorAnswer(string(line))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// jsonErrorAnswer rewrites net/http's status line ("HTTP/1.1 400 Bad
// Request: invalid header value") as a complete JSON answer.
func jsonErrorAnswer(statusLine string) []byte {
	code, detail := http.StatusBadRequest, ""
	if f := strings.SplitN(statusLine, " ", 3); len(f) >= 2 {
		if n, err := strconv.Atoi(f[1]); err == nil {
			code = n
		}
		if len(f) == 3 {
			_, detail, _ = strings.Cut(f[2], ": ")
		}
	}
	// net/http names the cause only for some refusals.
	msg := "The request could not be read as HTTP/1.1: check its request line, that header names are tokens (letters, digits, " +
		"-), and that header values hold no control characters (tab is allowed; percent-encode the rest)."
	switch {
	case code == http.StatusRequestHeaderFieldsTooLarge:
		msg = "The request's headers are too large (1 MiB in all)."
	case strings.Contains(detail, "Host"):
		msg = "The request's Host header is missing or malformed."
	}
	reqID := newRequestID()
	body, _ := json.Marshal(map[string]string{"status": "error", "message": msg, "code": "bad_request", "request_id": reqID})
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: %s\r\n\r\n%s",
		code, http.StatusText(code), len(body), reqID, body)
}
