package policy

import "github.com/casbin/casbin/v2/model"

// memoryAdapter loads nothing and saves nowhere: the enforcer's rules live
// only in memory, which is what these unit tests exercise.
type memoryAdapter struct{}

func (memoryAdapter) LoadPolicy(model.Model) error                              { return nil }
func (memoryAdapter) SavePolicy(model.Model) error                              { return nil }
func (memoryAdapter) AddPolicy(string, string, []string) error                  { return nil }
func (memoryAdapter) RemovePolicy(string, string, []string) error               { return nil }
func (memoryAdapter) RemoveFilteredPolicy(string, string, int, ...string) error { return nil }
