package service

import (
	"context"
	"errors"
	"time"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/idempotencykey"
	"github.com/cienerp/cienerp/policy"
)

// IdempotencyTTL is how long a first answer is replayed.
const IdempotencyTTL = 24 * time.Hour

// ErrIdempotencyRunning: the first request with this key has not finished.
var ErrIdempotencyRunning = errors.New("a request with this idempotency key is still being processed")

// ClaimIdempotency claims key for the viewer's credential (Stripe's
// semantics, shared by REST's Idempotency-Key and GraphQL's idempotencyKey).
// It returns either the claim, which the caller must complete or release,
// or the finished first use of the key, whose RequestHash the caller
// compares before replaying its answer.
func (s *Service) ClaimIdempotency(ctx context.Context, key string) (claim, prev *ent.IdempotencyKey, err error) {
	cred := policy.FromContext(ctx).Credential()
	for attempt := 0; ; attempt++ {
		row, err := s.Client.IdempotencyKey.Create().SetCredential(cred).SetKey(key).
			SetExpiresAt(time.Now().Add(IdempotencyTTL)).Save(ctx)
		if err == nil {
			return row, nil, nil
		}
		if !ent.IsConstraintError(err) || attempt > 1 {
			return nil, nil, err
		}
		prev, err := s.Client.IdempotencyKey.Query().
			Where(idempotencykey.Credential(cred), idempotencykey.Key(key)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			continue // released after a failed first attempt: claim again
		case err != nil:
			return nil, nil, err
		case time.Now().After(prev.ExpiresAt):
			if err := s.Client.IdempotencyKey.DeleteOne(prev).Exec(ctx); err != nil && !ent.IsNotFound(err) {
				return nil, nil, err
			}
			continue
		case prev.State == idempotencykey.StateRunning:
			return nil, nil, ErrIdempotencyRunning
		}
		return nil, prev, nil
	}
}

// CompleteIdempotency stores the first answer of a claimed key with the
// hash of the request it answered.
func (s *Service) CompleteIdempotency(ctx context.Context, claim *ent.IdempotencyKey, requestHash string, status int, body []byte) error {
	return s.Client.IdempotencyKey.UpdateOne(claim).SetState(idempotencykey.StateDone).SetRequestHash(requestHash).
		SetResponseStatus(status).SetResponseBody(body).Exec(context.WithoutCancel(ctx))
}

// ReleaseIdempotency gives a claimed key up, so a retry runs afresh.
func (s *Service) ReleaseIdempotency(ctx context.Context, claim *ent.IdempotencyKey) error {
	err := s.Client.IdempotencyKey.DeleteOne(claim).Exec(context.WithoutCancel(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	return err
}
