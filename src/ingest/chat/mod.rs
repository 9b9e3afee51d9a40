//! Chat exports as messages (kind `chat`): Twitter/X DMs, Slack, Telegram, WhatsApp.
