// The display name is remembered in localStorage, for every room.
import { nameProblem } from './nameRules';

const STORAGE_KEY = 'serverless-chat.username';

/** The name remembered from a last visit, unless the chat would refuse it (then it is asked again). */
export function loadStoredName(): string | null {
  try {
    const name = localStorage.getItem(STORAGE_KEY);
    return name !== null && nameProblem(name.trim()) === null ? name : null;
  } catch {
    return null; // storage disabled (private mode, policies): the name is asked each visit
  }
}

export function storeName(name: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, name);
  } catch {
    // storage disabled: the name still holds for this page
  }
}
