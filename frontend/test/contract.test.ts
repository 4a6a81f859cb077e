// The page's protocol against lambdas/serverless_chat/contract.json: the frames it builds are the
// contract's examples, every server frame example is understood, and every error code has words.
import { describe, expect, it } from 'vitest';
import contract from '../../lambdas/serverless_chat/contract.json';
import { ROOM_ACTION_ERROR_CODES } from '../src/chat/chatClient';
import { errorText } from '../src/chat/errorText';
import {
  CREATE_ROOM,
  LIST_BLOCKS,
  LIST_ROOMS,
  PING,
  SIGN_OUT,
  addMemberFrame,
  blockUserFrame,
  createInviteFrame,
  deleteMessageFrame,
  TYPING,
  enterRoomFrame,
  handOverFrame,
  listInvitesFrame,
  muteMemberFrame,
  parseServerFrame,
  removeMemberFrame,
  revokeInviteFrame,
  sendMessageFrame,
  setRoleFrame,
  unblockUserFrame,
} from '../src/chat/protocol';
import { MAX_BLOCKED_USERS, MAX_MUTE_SECONDS } from '../src/limits';
import { nameProblem } from '../src/nameRules';

const FALLBACK = errorText('no such code');

describe('the contract', () => {
  it('is what the page sends for each client frame', () => {
    const enter = contract.clientFrames['on-enter-room'].example;
    expect(enterRoomFrame(enter.groupId, enter.username, null)).toEqual(enter);
    const send = contract.clientFrames['on-message'].example;
    expect(sendMessageFrame(send.groupId, send.message, send.clientMessageId)).toEqual(send);
    const deletion = contract.clientFrames['on-delete-message'].example;
    expect(deleteMessageFrame(deletion.seq)).toEqual(deletion);
    expect(PING).toEqual(contract.clientFrames.ping.example);
    expect(SIGN_OUT).toEqual(contract.clientFrames['sign-out'].example);
    expect(CREATE_ROOM).toEqual(contract.clientFrames['create-room'].example);
    expect(LIST_ROOMS).toEqual(contract.clientFrames['list-rooms'].example);
    const invite = contract.clientFrames['create-invite'].example;
    expect(createInviteFrame(invite.roomId, invite.expiresInSeconds)).toEqual(invite);
    expect(listInvitesFrame(invite.roomId)).toEqual(contract.clientFrames['list-invites'].example);
    const revoke = contract.clientFrames['revoke-invite'].example;
    expect(revokeInviteFrame(revoke.roomId, revoke.code)).toEqual(revoke);
    const add = contract.clientFrames['add-member'].example;
    expect(addMemberFrame(add.roomId, add.handle)).toEqual(add);
    const role = contract.clientFrames['set-role'].example;
    expect(setRoleFrame(role.roomId, role.handle, role.role as 'moderator')).toEqual(role);
    const remove = contract.clientFrames['remove-member'].example;
    expect(removeMemberFrame(remove.roomId, remove.handle)).toEqual(remove);
    const mute = contract.clientFrames['mute-member'].example;
    expect(muteMemberFrame(mute.roomId, mute.handle, mute.seconds)).toEqual(mute);
    const handOver = contract.clientFrames['hand-over'].example;
    expect(handOverFrame(handOver.roomId, handOver.handle)).toEqual(handOver);
    const block = contract.clientFrames['block-user'].example;
    expect(blockUserFrame(block.handle)).toEqual(block);
    const unblock = contract.clientFrames['unblock-user'].example;
    expect(unblockUserFrame(unblock.handle)).toEqual(unblock);
    expect(LIST_BLOCKS).toEqual(contract.clientFrames['list-blocks'].example);
    expect(TYPING).toEqual(contract.clientFrames['on-typing'].example);
  });

  it('has the longest mute the page offers', () => {
    expect(MAX_MUTE_SECONDS).toBe(contract.limits.maxMuteSeconds);
  });

  it('has the most users one may block', () => {
    expect(MAX_BLOCKED_USERS).toBe(contract.limits.maxBlockedUsers);
  });

  it('has no client frame the page cannot send', () => {
    expect(Object.keys(contract.clientFrames).sort()).toEqual([
      'add-member',
      'block-user',
      'create-invite',
      'create-room',
      'hand-over',
      'list-blocks',
      'list-invites',
      'list-rooms',
      'mute-member',
      'on-delete-message',
      'on-enter-room',
      'on-message',
      'on-typing',
      'ping',
      'remove-member',
      'revoke-invite',
      'set-role',
      'sign-out',
      'unblock-user',
    ]);
  });

  it('has server frames the page understands, each as its example says', () => {
    for (const [type, frame] of Object.entries(contract.serverFrames)) {
      const parsed = parseServerFrame(JSON.stringify(frame.example));
      expect(parsed, type).not.toBeNull();
      expect(parsed).toEqual(frame.example);
    }
  });

  it('has plain words for every error code the page shows', () => {
    // not_connected is never shown: the page reconnects instead.
    const shown = Object.keys(contract.errorCodes).filter((code) => code !== 'not_connected');
    for (const code of shown) expect(errorText(code), code).not.toBe(FALLBACK);
  });

  it("has every error code the page gives to a private rooms' action", () => {
    for (const code of ROOM_ACTION_ERROR_CODES) expect(contract.errorCodes, code).toHaveProperty(code);
  });

  it('has the name rules the page checks before it sends, on the cases the chat is tested on', () => {
    const { accepted, refused, refusedByTheChat } = contract.names.examples;
    for (const name of accepted) expect(nameProblem(name), name).toBeNull();
    for (const name of refused) expect(nameProblem(name), JSON.stringify(name)).toMatch(/^A name /);
    // Where a joiner, selector or tag may stand needs Unicode data the page has not: the chat says.
    for (const name of refusedByTheChat) expect(nameProblem(name), JSON.stringify(name)).toBeNull();
  });
});
