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
