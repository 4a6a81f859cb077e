// The display name is remembered in localStorage, for every room.
const STORAGE_KEY = 'serverless-chat.username';

export function loadStoredName(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
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
