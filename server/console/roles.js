// What each role may do, as the API decides it (domain/src/role.rs): the console offers a role
// only what the API would allow it.

/** Whether `role` may read the ledgers case workers follow (concerns, pairings) and audit trails. */
export function mayReadTrails(role) {
  return role !== 'analyst';
}

/** Whether `role` may record events (visits, requests for aid): staff, supervisors and admins. */
export function mayAppend(role) {
  return ['staff', 'supervisor', 'admin'].includes(role);
}

/** The supervisors' types (`EventType::is_supervisor_only`). */
const SUPERVISORS_ONLY = ['DisbursementApproved', 'DisbursementRejected', 'VolunteerHoursVerified'];

/** The checkers' duties an admin, who issues every token, never appends (`EventType::is_checker_duty`). */
const CHECKER_DUTIES = [...SUPERVISORS_ONLY, 'DisbursementPaid', 'DisbursementReversed'];

/** Whether `role` may append events of `type` (`Role::may_append`). */
export function mayAppendType(role, type) {
  if (type === 'BeneficiaryForgotten') return false;
  if (role === 'supervisor') return true;
  if (role === 'staff') return !SUPERVISORS_ONLY.includes(type);
  if (role === 'admin') return !CHECKER_DUTIES.includes(type);
  return false;
}
