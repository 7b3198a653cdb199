/**
 * Names for the emoji that shops and chats use as code words, so a rule can say `snowflake` instead of
 * listing ❄ ❄️ and their look-alikes. Names are CLDR short names in snake case. An emoji not listed keeps
 * itself as its name.
 */
const NAMES: Readonly<Record<string, string>> = {
  '❄': 'snowflake', '☃': 'snowman', '⛄': 'snowman', '🌨': 'snow_cloud', '💎': 'gem', '💊': 'pill', '💉': 'syringe',
  '🍁': 'maple_leaf', '🌿': 'herb', '🌱': 'seedling', '🍀': 'four_leaf_clover', '☘': 'shamrock', '🥦': 'broccoli',
  '🌲': 'evergreen_tree', '🍄': 'mushroom', '🚀': 'rocket', '⚡': 'high_voltage', '🔥': 'fire', '🍭': 'lollipop',
  '🍬': 'candy', '🍫': 'chocolate_bar', '🧂': 'salt', '🧪': 'test_tube', '🐴': 'horse_face', '🐎': 'horse', '🚬': 'cigarette',
  '👃': 'nose', '💨': 'dashing_away', '🌈': 'rainbow', '🍯': 'honey_pot', '🧊': 'ice', '💧': 'droplet', '🌀': 'cyclone',
  '🔫': 'pistol', '🔪': 'kitchen_knife', '🗡': 'dagger', '⚔': 'crossed_swords', '💣': 'bomb', '🧨': 'firecracker',
  '💥': 'collision', '🪓': 'axe', '🏹': 'bow_and_arrow', '🎯': 'direct_hit',
  '🎰': 'slot_machine', '🎲': 'game_die', '🃏': 'joker', '♠': 'spade_suit', '♥': 'heart_suit', '♦': 'diamond_suit',
  '♣': 'club_suit', '🏆': 'trophy', '⚽': 'soccer_ball', '🏀': 'basketball',
  '💰': 'money_bag', '💵': 'dollar_banknote', '💸': 'money_with_wings', '💲': 'heavy_dollar_sign', '🤑': 'money_mouth_face',
  '💳': 'credit_card', '🏦': 'bank', '📈': 'chart_increasing', '🪙': 'coin', '🎁': 'wrapped_gift',
  '🍑': 'peach', '🍆': 'eggplant', '💦': 'sweat_droplets', '🔞': 'no_one_under_eighteen', '💋': 'kiss_mark', '🍓': 'strawberry',
  '👅': 'tongue', '🛏': 'bed', '😈': 'smiling_face_with_horns',
  '💀': 'skull', '☠': 'skull_and_crossbones', '⚰': 'coffin', '🪦': 'headstone', '🩸': 'drop_of_blood',
  '🐳': 'spouting_whale', '🐋': 'whale', '🦋': 'butterfly', '🖕': 'middle_finger', '🤡': 'clown_face', '🐷': 'pig_face',
  '🐖': 'pig', '🐒': 'monkey', '🐵': 'monkey_face', '💩': 'pile_of_poo', '🤮': 'face_vomiting',
  '☪': 'star_and_crescent', '✡': 'star_of_david', '☦': 'orthodox_cross', '✝': 'latin_cross', '卐': 'swastika', '🏴': 'black_flag',
  '👍': 'thumbs_up', '👎': 'thumbs_down', '😂': 'face_with_tears_of_joy', '❤': 'red_heart', '✅': 'check_mark_button', '📦': 'package',
  '🚚': 'delivery_truck', '📍': 'round_pushpin', '📞': 'telephone_receiver', '📲': 'mobile_phone_with_arrow', '✈': 'airplane',
};

export function emojiName(emoji: string): string {
  return NAMES[emoji] ?? emoji;
}

export const EMOJI_NAMES: Readonly<Record<string, string>> = NAMES;
