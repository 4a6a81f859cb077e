// Going to another page of the site: a full load, as the start page does (the room is read from the path once).
export const navigation = {
  go(path: string): void {
    window.location.assign(path);
  },
};
