/** The server refuses longer questions (ChatIn.text). */
export const MAX_QUESTION_LENGTH = 2000;
