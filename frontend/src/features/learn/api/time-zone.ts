/**
 * The phone's IANA time zone: streaks count the learner's own days, so every request that can
 * extend a streak sends it. Undefined when the browser cannot say (the server then uses the
 * saved preference, else UTC).
 */
export function localTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
