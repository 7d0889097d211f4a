#!/usr/bin/env node
// A first call to the gateway with the official OpenAI SDK (`npm install openai`). The SDK reads its base URL and key
// from the environment:
//   OPENAI_BASE_URL   the gateway stack's ApiUrl output
//   OPENAI_API_KEY    an access token from sign-in.mjs, or a gateway API key from `secure-llm-keys keys create`
// MODEL names the alias to call (default nova-lite).
import OpenAI from 'openai';

const client = new OpenAI();
const model = process.env.MODEL ?? 'nova-lite';
const ids = [];
for await (const m of client.models.list()) ids.push(m.id);
console.log(`models: ${ids.join(' ')}`);
const chat = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello in five words.' }] });
console.log(`${model}: ${chat.choices[0].message.content}`);
