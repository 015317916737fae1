export interface Question {
  text: string;
  answer: string;
}

/** A question whose answer depends on the attempt, so a test can tell attempts apart. */
export function question(attempt: number): Question {
  const a = attempt + 1;
  const b = attempt * 10;
  return { text: `What is ${a} + ${b}?`, answer: String(a + b) };
}
