import type { CreateTrunkBody, Trunk, UpdateTrunkBody } from '@hotline/protocol/trunks';
import { collection } from '../../api/http';

/** `/api/trunks`: passwords go in, never come back (`hasInboundPassword`, `hasOutboundPassword`). */
export const trunks = collection<Trunk, CreateTrunkBody, UpdateTrunkBody>('trunks');
