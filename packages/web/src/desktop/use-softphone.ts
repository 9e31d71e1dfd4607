import type { PhoneConfig } from '@hotline/protocol/agent-phone';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { request } from '../api/http';
import type { RealtimeClient } from '../realtime/realtime-client';
import {
  g711Codecs,
  initialSoftphone,
  micProblemOf,
  newTabId,
  type SoftphoneState,
  softphoneReducer,
} from './softphone-logic';

/**
 * The browser side of the agent's softphone: one RTCPeerConnection for the whole login, offered over
 * the realtime WebSocket once every ICE candidate is gathered (non-trickle; ADR 0007). Calls arrive in
 * it without new ICE. Holds the microphone track (mute = `enabled=false`), the remote audio element
 * (output device = `setSinkId`), DTMF through RTCDTMFSender, and the audio check.
 */
export interface Softphone {
  readonly state: SoftphoneState;
  readonly inputs: MediaDeviceInfo[];
  readonly outputs: MediaDeviceInfo[];
  readonly inputId: string;
  readonly outputId: string;
  start(): Promise<void>;
  stop(): void;
  setMuted(muted: boolean): void;
  sendDigits(digits: string): void;
  checkAudio(): void;
  /** Starts recording the current call (queues that record on demand); `phone.recording` confirms. */
  record(): void;
  /** Hands the current call to a number (E.164); `phone.transfer` frames report how it goes. */
  transferToNumber(number: string): void;
  selectInput(deviceId: string): Promise<void>;
  selectOutput(deviceId: string): Promise<void>;
}

const GATHER_TIMEOUT_MS = 3_000;
const REGREET_MS = 3_000;

export function useSoftphone(client: RealtimeClient): Softphone {
  const [state, dispatch] = useReducer(softphoneReducer, initialSoftphone);
  const tabId = useMemo(() => newTabId(), []);
  const pc = useRef<RTCPeerConnection | null>(null);
  const mic = useRef<MediaStream | null>(null);
  const audio = useRef<HTMLAudioElement | null>(null);
  const [inputs, setInputs] = useState<MediaDeviceInfo[]>([]);
  const [outputs, setOutputs] = useState<MediaDeviceInfo[]>([]);
  const [inputId, setInputId] = useState('');
  const [outputId, setOutputId] = useState('');
  /** When the server last said something about this tab's phone (a reconnect must be greeted by it). */
  const lastFrameAt = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  const release = useCallback(() => {
    pc.current?.close();
    pc.current = null;
    for (const track of mic.current?.getTracks() ?? []) track.stop();
    mic.current = null;
    if (audio.current) audio.current.srcObject = null;
  }, []);

  const refreshDevices = useCallback(async () => {
    const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
    setInputs(all.filter((d) => d.kind === 'audioinput'));
    setOutputs(all.filter((d) => d.kind === 'audiooutput'));
  }, []);

  useEffect(() => {
    const off = client.onPhone((frame) => {
      if (frame.type === 'phone.answer' && frame.tabId === tabId) {
        const peer = pc.current;
        if (peer && peer.signalingState === 'have-local-offer') {
          peer
            .setRemoteDescription({ type: 'answer', sdp: frame.sdp })
            .then(() => dispatch({ type: 'answered' }))
            .catch(() => dispatch({ type: 'connection', state: 'failed' }));
        }
      }
      if (frame.tabId === tabId) lastFrameAt.current = Date.now();
      dispatch({ type: 'frame', frame, tabId, now: Date.now() });
      // another tab took over: let go of the microphone here
      if (frame.type === 'phone.state' && frame.tabId !== tabId && frame.state !== 'closed' && pc.current)
        release();
    });
    return () => {
      off();
    };
  }, [client, tabId, release]);

  // leaving the desktop (or closing the tab) hangs up
  useEffect(() => {
    const bye = () => {
      if (pc.current) client.sendPhone({ type: 'phone.hangup', tabId });
    };
    window.addEventListener('pagehide', bye);
    return () => {
      window.removeEventListener('pagehide', bye);
      bye();
      release();
    };
  }, [client, tabId, release]);

  const start = useCallback(async () => {
    release();
    dispatch({ type: 'start' });
    // the server first: without voice, the microphone is not even asked for
    let config: PhoneConfig;
    try {
      config = await request<PhoneConfig>('GET', '/agent/phone');
    } catch {
      dispatch({
        type: 'frame',
        frame: { type: 'phone.error', tabId, code: 'INTERNAL', message: '' },
        tabId,
        now: Date.now(),
      });
      return;
    }
    if (!config.enabled) {
      dispatch({
        type: 'frame',
        frame: { type: 'phone.error', tabId, code: 'VOICE_UNAVAILABLE', message: '' },
        tabId,
        now: Date.now(),
      });
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) {
      dispatch({ type: 'mic-failed', problem: 'insecure' });
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(inputId ? { deviceId: { exact: inputId } } : {}),
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        },
      });
    } catch (e) {
      dispatch({ type: 'mic-failed', problem: micProblemOf(e) });
      return;
    }
    mic.current = stream;
    void refreshDevices();
    const peer = new RTCPeerConnection({
      iceServers: config.iceServers,
      iceTransportPolicy: config.iceTransportPolicy,
    });
    pc.current = peer;
    const track = stream.getAudioTracks()[0]!;
    const transceiver = peer.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
    const caps = RTCRtpReceiver.getCapabilities?.('audio');
    if (caps && transceiver.setCodecPreferences) {
      try {
        transceiver.setCodecPreferences(g711Codecs(caps.codecs));
      } catch {
        // an old browser: the server still picks G.711 from the full list
      }
    }
    peer.ontrack = (e) => {
      const el = audio.current ?? new Audio();
      audio.current = el;
      el.autoplay = true;
      el.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void el.play().catch(() => {});
    };
    peer.onconnectionstatechange = () => {
      if (pc.current === peer) dispatch({ type: 'connection', state: peer.connectionState });
    };
    await peer.setLocalDescription(await peer.createOffer());
    await gathered(peer);
    if (pc.current !== peer) return;
    const sdp = peer.localDescription?.sdp ?? '';
    if (!client.sendPhone({ type: 'phone.offer', tabId, sdp })) {
      dispatch({ type: 'connection', state: 'failed' });
    }
  }, [client, tabId, inputId, release, refreshDevices]);

  // After the WebSocket comes back, the server greets a phone it still holds with `phone.state`. No
  // greeting within a few seconds means the server lost it (it restarted): offer again at once rather
  // than wait for ICE to time out.
  useEffect(() => {
    let droppedAt: number | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.subscribe(() => {
      if (client.status === 'reconnecting') droppedAt ??= Date.now();
      if (client.status !== 'live' || droppedAt === null) return;
      const since = droppedAt;
      droppedAt = null;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const s = stateRef.current.status;
        if (pc.current && (s === 'connected' || s === 'connecting') && lastFrameAt.current < since)
          void start();
      }, REGREET_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, start]);

  const stop = useCallback(() => {
    client.sendPhone({ type: 'phone.hangup', tabId });
    release();
    dispatch({ type: 'stop' });
  }, [client, tabId, release]);

  const setMuted = useCallback((muted: boolean) => {
    for (const track of mic.current?.getAudioTracks() ?? []) track.enabled = !muted;
    dispatch({ type: 'mute', muted });
  }, []);

  const sendDigits = useCallback((digits: string) => {
    const sender = pc.current?.getSenders().find((s) => s.track?.kind === 'audio');
    if (sender?.dtmf?.canInsertDTMF) sender.dtmf.insertDTMF(sender.dtmf.toneBuffer + digits, 100, 70);
  }, []);

  const checkAudio = useCallback(() => {
    dispatch({ type: 'check-started' });
    client.sendPhone({ type: 'phone.check', tabId, action: 'start' });
  }, [client, tabId]);

  const transferToNumber = useCallback(
    (number: string) => client.sendPhone({ type: 'phone.transfer', tabId, number }),
    [client, tabId],
  );

  const record = useCallback(() => {
    client.sendPhone({ type: 'phone.record', tabId });
  }, [client, tabId]);

  const selectInput = useCallback(
    async (deviceId: string) => {
      setInputId(deviceId);
      const peer = pc.current;
      if (!peer) return;
      try {
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: deviceId ? { deviceId: { exact: deviceId } } : true,
        });
        const track = stream.getAudioTracks()[0]!;
        const sender = peer.getSenders().find((s) => s.track?.kind === 'audio');
        await sender?.replaceTrack(track);
        for (const old of mic.current?.getTracks() ?? []) old.stop();
        mic.current = stream;
      } catch (e) {
        dispatch({ type: 'mic-failed', problem: micProblemOf(e) });
        release();
      }
    },
    [release],
  );

  const selectOutput = useCallback(async (deviceId: string) => {
    setOutputId(deviceId);
    const el = audio.current as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    await el?.setSinkId?.(deviceId).catch(() => {});
  }, []);

  return {
    state,
    inputs,
    outputs,
    inputId,
    outputId,
    start,
    stop,
    setMuted,
    sendDigits,
    checkAudio,
    record,
    transferToNumber,
    selectInput,
    selectOutput,
  };
}

/** Resolves when ICE gathering is complete (every candidate is in the SDP) or after a timeout. */
function gathered(peer: RTCPeerConnection): Promise<void> {
  if (peer.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
    peer.addEventListener('icegatheringstatechange', () => {
      if (peer.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}
