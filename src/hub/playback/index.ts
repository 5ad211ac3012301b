/**
 * The playback feature: `GET /api/playback` (read) and `POST /api/playback` (write) steer the hub's one
 * playback cursor (cursor.ts); its frames reach clients through `/ws` (`{type:'subscribe', topic:'playback'}`).
 *
 * @module
 */
import type { FeatureModule } from '../hub.ts';
import { defineRoute } from '../routes.ts';
import { playbackOf } from './cursor.ts';
import { type PlaybackAction, playbackAction } from './schema.ts';

export const playbackFeature: FeatureModule = {
  name: 'playback',
  create(services) {
    const cursor = playbackOf(services);
    const apply = (action: PlaybackAction) => {
      switch (action.action) {
        case 'play':
          return cursor.play(action);
        case 'pause':
          return cursor.pause();
        case 'resume':
          return cursor.resume();
        case 'seek':
          return cursor.seek(action.to);
        case 'speed':
          return cursor.setSpeed(action.speed);
        case 'stop':
          return cursor.stop();
      }
    };
    return {
      name: 'playback',
      routes: [
        defineRoute({
          method: 'GET',
          path: '/api/playback',
          summary: "The hub's playback cursor: state, range, position, speed",
          handler: (c) => c.json(cursor.state()),
        }),
        defineRoute({
          method: 'POST',
          path: '/api/playback',
          summary: 'Play, pause, resume, seek, change speed or stop the playback cursor',
          body: playbackAction,
          audit: { action: 'playback.control', target: ({ body }) => body.action },
          handler: (c, { body }) => {
            c.set('auditDetail', body);
            return c.json(apply(body));
          },
        }),
      ],
      stop() {
        cursor.close();
      },
    };
  },
};
