package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cienerp/cienerp/service"
)

// multipartUploads is the GraphQL multipart request spec
// (github.com/jaydenseric/graphql-multipart-request-spec) without the
// buffering of gqlgen's MultipartForm: "operations" and "map" are read, the
// operation runs, and each file is read by its resolver straight from the
// request body. Only a file read out of order (after a later one) is kept
// in a temporary file until its resolver asks for it. The body size limit
// is the edge's upload limit (the route's Upload), set for multipart requests.
type multipartUploads struct {
	maxFileBytes int64 // what a too-large body is reported against
}

// maxOperationsBytes bounds the operations and map parts.
const maxOperationsBytes = 1 << 20

func (multipartUploads) Supports(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && mt == "multipart/form-data"
}

func (t multipartUploads) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	mr, err := r.MultipartReader()
	if err != nil {
		refuseRequest(w, r, exec, "The multipart body could not be read; check the Content-Type boundary.")
		return
	}
	var params graphql.RawParams
	if err := readJSONPart(mr, "operations", &params); err != nil {
		refuseRequest(w, r, exec, err.Error())
		return
	}
	var fileMap map[string][]string
	if err := readJSONPart(mr, "map", &fileMap); err != nil {
		refuseRequest(w, r, exec, err.Error())
		return
	}
	files := &fileStream{mr: mr, files: map[string]*streamedFile{}, maxBytes: t.maxFileBytes}
	defer files.cleanup()
	for key, paths := range fileMap {
		if len(paths) != 1 {
			refuseRequest(w, r, exec, fmt.Sprintf("The map entry %q must name exactly one variable: a streamed file can be read once.", key))
			return
		}
		f := &streamedFile{key: key, stream: files}
		files.files[key] = f
		if err := params.AddUpload(graphql.Upload{File: f, Size: -1}, key, paths[0]); err != nil {
			refuseRequest(w, r, exec, err.Message)
			return
		}
	}
	execute(w, r, exec, &params, start)
}

// readJSONPart decodes the next part, which must be name.
func readJSONPart(mr *multipart.Reader, name string, v any) error {
	part, err := mr.NextPart()
	if err != nil || part.FormName() != name {
		return fmt.Errorf("The %s field must come next in the multipart body (operations, then map, then the files).", name)
	}
	dec := json.NewDecoder(io.LimitReader(part, maxOperationsBytes))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("The %s field is not valid JSON (at most %d bytes).", name, maxOperationsBytes)
	}
	return nil
}

// fileStream hands the body's file parts to their streamedFiles in
// whatever order the resolvers ask.
type fileStream struct {
	mu       sync.Mutex
	mr       *multipart.Reader
	files    map[string]*streamedFile
	maxBytes int64
	spooled  []*os.File
}

// streamedFile is a file argument: reading it (or asking its name) moves
// the request body up to its part.
type streamedFile struct {
	key      string
	stream   *fileStream
	src      io.Reader
	filename string
	read     int64
	err      error
}

// errNoSeek: a streamed file is read once, front to back.
var errNoSeek = errors.New("a streamed upload cannot seek")

// Seek only tells the position: graphql.Upload wants an io.ReadSeeker.
func (f *streamedFile) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && (whence == io.SeekCurrent || whence == io.SeekStart && f.read == 0) {
		return f.read, nil
	}
	return f.read, errNoSeek
}

// Filename is the file's name as the client sent it, or why its part
// could not be reached.
func (f *streamedFile) Filename() (string, error) {
	f.stream.open(f)
	return f.filename, f.err
}

func (f *streamedFile) Read(p []byte) (int, error) {
	f.stream.open(f)
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.src.Read(p)
	f.read += int64(n)
	if err != nil && err != io.EOF {
		err = f.stream.readError(err)
		f.err = err
	}
	return n, err
}

// open finds f's part, spooling the parts of other files it passes.
func (s *fileStream) open(f *streamedFile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for f.src == nil && f.err == nil {
		part, err := s.mr.NextPart()
		if err != nil {
			var tooBig *service.TooLargeError
			switch err = s.readError(err); {
			case errors.As(err, &tooBig):
				f.err = err
			case err == io.EOF:
				f.err = service.Invalid("file", "The multipart body has no part named %q.", f.key)
			default:
				f.err = service.Invalid("file", "The multipart body could not be read.")
			}
			return
		}
		other, ok := s.files[part.FormName()]
		switch {
		case other == f:
			f.src, f.filename = part, part.FileName()
		case ok && other.src == nil:
			other.filename = part.FileName()
			other.src, other.err = s.spool(part)
		}
	}
}

// readError names a failure to read the body: past the size limit it is
// the document rule's TooLargeError.
func (s *fileStream) readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &service.TooLargeError{Limit: s.maxBytes}
	}
	return err
}

// spool keeps a part that was passed over until its resolver reads it.
func (s *fileStream) spool(part io.Reader) (io.Reader, error) {
	tmp, err := os.CreateTemp("", "cien-upload-")
	if err != nil {
		return nil, err
	}
	s.spooled = append(s.spooled, tmp)
	if _, err := io.Copy(tmp, part); err != nil {
		return nil, s.readError(err)
	}
	_, err = tmp.Seek(0, io.SeekStart)
	return tmp, err
}

func (s *fileStream) cleanup() {
	for _, f := range s.spooled {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
}

// uploadName is the client's filename of an upload.
func uploadName(u graphql.Upload) (string, error) {
	if f, ok := u.File.(interface{ Filename() (string, error) }); ok {
		return f.Filename()
	}
	return u.Filename, nil
}
