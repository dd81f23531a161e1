// Sound and desktop alerts for agents. The chime is synthesised so no audio file is shipped.

let audio: AudioContext | null = null;

export function playChime(): void {
  const context = (audio ??= new AudioContext());
  const start = context.currentTime;
  // Two short rising tones: noticeable without being alarming during a long shift.
  [660, 880].forEach((frequency, step) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    const at = start + step * 0.14;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.13);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.14);
  });
}

export function showDesktopNotification(title: string, body: string, onClick: () => void): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  const notification = new Notification(title, { body, tag: title, icon: '/favicon.svg' });
  notification.onclick = () => {
    window.focus();
    onClick();
    notification.close();
  };
}
