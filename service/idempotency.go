package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/idempotencykey"
	"github.com/cienerp/cienerp/policy"
)

// IdempotencyTTL is how long a first answer is replayed.
const IdempotencyTTL = 24 * time.Hour

// DefaultIdempotencyLease is how long a claim on a key lasts unless
// renewed. The request holding it renews it while it runs; a claim whose
// holder died or lost the database (and so could neither finish nor
// release it) lapses, and the next retry runs afresh instead of meeting
// 409 for a day.
const DefaultIdempotencyLease = 30 * time.Second

func (s *Service) lease() time.Duration {
	if s.IdempotencyLease > 0 {
		return s.IdempotencyLease
	}
	return DefaultIdempotencyLease
}

// ErrIdempotencyRunning: the first request with this key has not finished.
var ErrIdempotencyRunning = errors.New("a request with this idempotency key is still being processed")

// IdempotencyClaim is a key claimed for one running request; the request
// must Complete or Release it.
type IdempotencyClaim struct {
	row   *ent.IdempotencyKey
	renew context.CancelFunc
}

// ClaimIdempotency claims key for the viewer's credential (Stripe's
// semantics, shared by REST's Idempotency-Key and GraphQL's idempotencyKey).
// It returns either the claim, which the caller must complete or release,
// or the finished first use of the key, whose RequestHash the caller
// compares before replaying its answer.
func (s *Service) ClaimIdempotency(ctx context.Context, key string) (claim *IdempotencyClaim, prev *ent.IdempotencyKey, err error) {
	cred := policy.FromContext(ctx).Credential()
	for attempt := 0; ; attempt++ {
		row, err := s.Client.IdempotencyKey.Create().SetCredential(cred).SetKey(key).
			SetExpiresAt(time.Now().Add(s.lease())).Save(ctx)
		if err == nil {
			return s.hold(ctx, row), nil, nil
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
		case time.Now().After(prev.ExpiresAt): // an old answer, or a lapsed claim
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

// hold renews the claim's lease until it is completed or released.
func (s *Service) hold(ctx context.Context, row *ent.IdempotencyKey) *IdempotencyClaim {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		tick := time.NewTicker(s.lease() / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				err := s.Client.IdempotencyKey.Update().
					Where(idempotencykey.ID(row.ID), idempotencykey.StateEQ(idempotencykey.StateRunning)).
					SetExpiresAt(time.Now().Add(s.lease())).Exec(ctx)
				if err != nil && ctx.Err() == nil {
					slog.WarnContext(ctx, "renewing idempotency lease", "error", err.Error())
				}
			}
		}
	}()
	return &IdempotencyClaim{row: row, renew: cancel}
}

// CompleteIdempotency stores the first answer of a claimed key with the
// hash of the request it answered; it is replayed for IdempotencyTTL.
func (s *Service) CompleteIdempotency(ctx context.Context, claim *IdempotencyClaim, requestHash string, status int, body []byte) error {
	claim.renew()
	return s.Client.IdempotencyKey.UpdateOne(claim.row).SetState(idempotencykey.StateDone).SetRequestHash(requestHash).
		SetResponseStatus(status).SetResponseBody(body).SetExpiresAt(time.Now().Add(IdempotencyTTL)).
		Exec(context.WithoutCancel(ctx))
}

// ReleaseIdempotency gives a claimed key up, so a retry runs afresh. When
// the database cannot be told, the lease lapses instead.
func (s *Service) ReleaseIdempotency(ctx context.Context, claim *IdempotencyClaim) error {
	claim.renew()
	err := s.Client.IdempotencyKey.DeleteOne(claim.row).Exec(context.WithoutCancel(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	return err
}
